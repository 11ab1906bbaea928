"""The linux rule set's authentication rules on real sshd logs (OpenSSH_2k) and the synthetic auth.log."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import polars as pl
import pytest

from parsers.base import Source
from parsers.registry import detect
from tests.parsers.loghub_peer import clock, disagreements, joined
from tests.parsers.parse_helpers import CORPUS, SAMPLES, assert_accounting, line
from tests.parsers.test_syslog import parse

OPENSSH = CORPUS / "auth" / "OpenSSH_2k.log"
AUTH_METHOD = pl.col("extra").str.json_path_match("$.auth_method")


@pytest.fixture(scope="module")
def openssh():
    return parse(OPENSSH)


def test_openssh_every_line_parses_and_agrees_with_peer(openssh):
    events, ctx = openssh
    assert_accounting(events, ctx)
    assert (events.height, ctx.unparsed_count) == (2000, 0)
    assert detect(Source(OPENSSH, OPENSSH.name)).parser.name == "syslog"
    both = joined(events, OPENSSH)
    peer_clock = pl.concat_str(["Date", "Day", "Time"], separator="|")
    assert disagreements(both, clock(pl.col("timestamp")), peer_clock) == []
    assert disagreements(both, pl.col("pid").cast(pl.String), pl.col("Pid")) == []
    # the peer's "Component" holds the host name (LabSZ) on every line; the program is sshd
    assert disagreements(both, pl.col("host"), pl.col("Component")) == []
    assert events["process"].unique().to_list() == ["sshd"]
    assert events["category"].unique().to_list() == ["auth"]


def test_openssh_failed_passwords(openssh):
    events, _ = openssh
    failed = events.filter((pl.col("action") == "login_failed") & (AUTH_METHOD == "password"))
    assert failed.height == 520  # incl. 2 "message repeated 5 times: [ Failed password ...]"
    assert (failed["outcome"] == "failure").all()
    by_ip = failed.group_by("src_ip").agg(pl.len(), pl.col("timestamp").min().alias("first"),
                                          pl.col("timestamp").max().alias("last"))
    top = {ip: (n, a.strftime("%H:%M"), b.strftime("%H:%M")) for ip, n, a, b in by_ip.iter_rows()}
    assert top["183.62.140.253"] == (286, "10:54", "11:04")
    assert top["187.141.143.180"] == (80, "09:12", "09:20")
    assert top["103.99.0.122"][0] == 46
    assert failed.filter(pl.col("user") == "root").height > 300


def test_openssh_one_accepted_login(openssh):
    events, _ = openssh
    logins = events.filter(pl.col("action") == "login")
    assert logins.height == 1
    login = logins.row(0, named=True)
    assert (login["user"], login["src_ip"], login["outcome"]) == ("fztu", "119.137.62.142", "success")
    # Dec 10 would be after the reference time (2026-11-23): the year before
    assert login["timestamp"] == datetime(2025, 12, 10, 9, 32, 20, tzinfo=timezone.utc)
    assert json.loads(login["extra"]) == {"auth_method": "password", "port": "49116"}
    after = events.filter(pl.col("pid") == login["pid"]).sort("source_line")["action"].to_list()
    assert after == ["login", "session_open", "session_close"]
    assert events.filter(pl.col("action") == "logout")["src_ip"].to_list() == ["119.137.62.142"]


def test_openssh_invalid_users_and_break_in_warnings(openssh):
    events, _ = openssh
    invalid = events.filter(pl.col("message").str.starts_with("Invalid user "))
    assert invalid.height == 113
    assert invalid["action"].unique().to_list() == ["login_failed"]
    assert invalid.filter(pl.col("user") == "webmaster")["src_ip"].unique().to_list() == ["173.234.31.186"]
    # a user name with a leading space, as scanners send it
    assert line(events, 185)["user"] == " 0101"
    # reverse-DNS mismatch: logged at connect time, not a failed login
    break_in = events.filter(pl.col("message").str.contains("POSSIBLE BREAK-IN ATTEMPT"))
    assert break_in.height == 85
    assert break_in["action"].unique().to_list() == ["connection"]
    assert break_in["severity"].unique().to_list() == ["warning"]
    assert line(events, 1)["src_ip"] == "173.234.31.186"


def test_openssh_pam_failures_are_login_failed_without_method(openssh):
    events, _ = openssh
    pam = events.filter(pl.col("message").str.starts_with("pam_unix(sshd:auth): authentication failure"))
    assert pam.height == 494
    assert pam["action"].unique().to_list() == ["login_failed"]
    assert pam.filter(AUTH_METHOD.is_not_null()).height == 0
    assert line(events, 5)["src_ip"] == "173.234.31.186"


def test_openssh_disconnects(openssh):
    events, _ = openssh
    counts = dict(events.group_by("action").len().iter_rows())
    assert counts["logout"] == 1
    preauth = events.filter(pl.col("message").str.contains(r"\[preauth\]$")
                            & pl.col("message").str.contains("disconnect|Connection closed"))
    assert preauth["action"].unique().to_list() == ["connection"]


def test_sample_auth_log():
    events, ctx = parse(SAMPLES / "syslog" / "auth.log", tz="Europe/Rome")
    assert_accounting(events, ctx)
    assert [(u.line, u.reason) for u in ctx.unparsed] == [(28, "matches no syslog pattern")]
    got = {n: (a, u) for n, a, u in events.select("source_line", "action", "user").iter_rows()}
    assert got[3] == ("login_failed", "oracle")
    assert got[10] == ("account_locked", "alice")
    assert got[11] == ("account_locked", "alice")
    assert got[12] == ("login", "bob")
    assert got[13] == ("session_open", "bob")
    assert got[15] == ("privilege_use", "bob")
    assert got[18] == ("login_failed", "carol")
    assert got[19] == ("login_failed", "root")
    assert got[20] == ("account_created", "deploy")
    assert got[21] == ("password_change", "deploy")
    assert got[22] == ("account_changed", "deploy")
    assert got[23] == ("account_deleted", "olduser")
    assert got[25] == ("logout", "bob")
    assert json.loads(line(events, 15)["extra"])["command"] == "/usr/bin/systemctl restart nginx"
    assert json.loads(line(events, 19)["extra"]) == {"by": "carol"}
    assert line(events, 2)["action"] == "connection"
    assert line(events, 1)["action"] == "service_start"
