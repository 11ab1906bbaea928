"""syslog (RFC 3164): real Loghub logs against the peer's parse, year and zone inference, PRI, samples."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from parsers.base import Source
from parsers.registry import all_parsers, detect
from parsers.spec import load_all_specs
from tests.parsers.loghub_peer import clock, disagreements, joined
from tests.parsers.parse_helpers import CORPUS, SAMPLES, assert_accounting, line, run

SYSLOG = all_parsers()["syslog"]
REFERENCE = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
LINUX = CORPUS / "syslog" / "Linux_2k.log"
MAC = CORPUS / "mac" / "Mac_2k.log"
PRI_SEVERITY = ("critical", "critical", "critical", "error", "warning", "notice", "info", "debug")


def parse(path: Path, tz: str = "UTC", reference: datetime = REFERENCE, parser=SYSLOG):
    return run(parser, path, tz=tz, reference=reference, sha256="c0ffee00" * 8)


def write(tmp_path: Path, lines: list[str], name: str = "syslog") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


# -- Linux_2k.log (Red Hat /var/log/messages, 2005, host "combo") --------------------------

@pytest.fixture(scope="module")
def linux():
    return parse(LINUX)


def test_linux_every_line_parses(linux):
    events, ctx = linux
    assert_accounting(events, ctx)
    assert (events.height, ctx.unparsed_count) == (2000, 0)
    assert detect(Source(LINUX, LINUX.name)).parser.name == "syslog"


def test_linux_agrees_with_peer_on_every_line(linux):
    events, _ = linux
    both = joined(events, LINUX)
    peer_clock = pl.concat_str(["Month", "Date", "Time"], separator="|")
    assert disagreements(both, clock(pl.col("timestamp")), peer_clock) == []
    assert disagreements(both, pl.col("process"), pl.col("Component")) == []
    assert disagreements(both, pl.col("pid").cast(pl.String), pl.col("PID")) == []
    # the peer's "Level" column holds the host name on every line
    assert disagreements(both, pl.col("host"), pl.col("Level")) == []


def test_linux_ssh_bursts_through_typed_columns(linux):
    events, _ = linux
    failed = events.filter(pl.col("action") == "login_failed")
    burst = failed.filter((pl.col("src_ip") == "150.183.249.110")
                          & (pl.col("timestamp").dt.date() == datetime(2026, 7, 10).date()))
    assert burst.height == 80
    assert burst["timestamp"].min().strftime("%H:%M") == "16:01"
    assert burst["timestamp"].max().strftime("%H:%M") == "16:03"
    # MANIFEST.md says "14 from 218.188.2.4 on Jun 14 15:16": 14 is the total, 2 of them on
    # Jun 14 at 15:16 and 12 on Jun 15 at 12:12-12:13
    other = failed.filter(pl.col("src_ip") == "218.188.2.4")
    assert other.height == 14
    assert other["timestamp"].dt.strftime("%m-%d %H:%M").value_counts().sort("timestamp").rows() == [
        ("06-14 15:16", 2), ("06-15 12:12", 10), ("06-15 12:13", 2)]
    assert failed.filter(pl.col("process") == "sshd(pam_unix)")["user"].drop_nulls().unique().sort().to_list() \
        == ["guest", "root", "test"]


def test_linux_other_events(linux):
    events, _ = linux
    boot = events.filter(pl.col("action") == "boot")
    assert boot["timestamp"].dt.strftime("%m-%d %H:%M").to_list() == ["07-27 14:41"]
    su = events.filter(pl.col("process") == "su(pam_unix)")
    assert su.group_by("action").len().sort("action").rows() == [("session_close", 86), ("session_open", 86)]
    assert su.filter(pl.col("action") == "session_open")["user"].unique().sort().to_list() == ["cyrus", "news"]
    root = line(events, 899)  # "combo  -- root[2421]: ROOT LOGIN ON tty2"
    assert (root["process"], root["pid"], root["action"], root["user"]) == ("-- root", 2421, "login", "root")
    assert events.filter(pl.col("action") == "service_start")["process"].unique().sort().to_list() == \
        ["bluetooth", "cups", "irqbalance", "nfslock", "portmap", "rpcidmapd", "syslog"]
    assert events.filter(pl.col("process") == "logrotate")["action"].unique().to_list() == ["error"]
    assert events.filter(pl.col("process") == "ftpd")["action"].value_counts().sort("action").rows() == \
        [("connection", 909), ("log_line", 5), ("login", 2)]
    assert set(events["timestamp_quality"].unique()) == {"year_inferred+tz_assumed"}


# -- Mac_2k.log (macOS system.log) ----------------------------------------------------------

def test_mac_parses_and_agrees_with_peer():
    events, ctx = parse(MAC)
    assert_accounting(events, ctx)
    assert ctx.unparsed_count == 0
    both = joined(events, MAC)
    peer_clock = pl.concat_str(["Month", "Date", "Time"], separator="|")
    assert disagreements(both, clock(pl.col("timestamp")), peer_clock) == []
    assert disagreements(both, pl.col("process"), pl.col("Component")) == []
    assert disagreements(both, pl.col("pid").cast(pl.String), pl.col("PID")) == []
    assert disagreements(both, pl.col("host"), pl.col("User")) == []
    # the sender context macOS writes after the pid ("sandboxd[129] ([31211]):") is kept
    context = pl.col("extra").str.json_path_match("$.context")
    assert disagreements(both, context, pl.col("Address")) == []
    assert line(events, 36)["message"].startswith("com.apple.Addres(31211) deny")


# -- year inference, zone assumption ---------------------------------------------------------

def test_new_year_rollover(tmp_path):
    path = write(tmp_path, ["Dec 31 23:59:00 web-01 app[1]: last of the year",
                            "Jan  1 00:00:00 web-01 app[1]: first of the year"])
    events, ctx = parse(path, reference=datetime(2026, 1, 1, 6, 0, tzinfo=timezone.utc))
    assert events["timestamp"].to_list() == [datetime(2025, 12, 31, 23, 59, tzinfo=timezone.utc),
                                             datetime(2026, 1, 1, 0, 0, tzinfo=timezone.utc)]
    assert any("year 2025-2026 inferred" in a for a in ctx.assumptions)


def test_feb_29_goes_to_the_last_leap_year(tmp_path):
    path = write(tmp_path, ["Feb 28 23:00:00 web-01 app[1]: before", "Feb 29 12:00:00 web-01 app[1]: leap day"])
    events, _ = parse(path, reference=datetime(2025, 3, 1, tzinfo=timezone.utc))
    assert line(events, 2)["timestamp"] == datetime(2024, 2, 29, 12, 0, tzinfo=timezone.utc)
    assert line(events, 1)["timestamp"] == datetime(2024, 2, 28, 23, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("lines, expected", [
    # spring forward: 02:00-03:00 does not exist; a skipped time is read as if the clock had
    # not moved yet (CET)
    (["Mar 29 01:30:00", "Mar 29 02:30:00", "Mar 29 03:30:00"], ["00:30", "01:30", "01:30"]),
    # fall back: 02:00-03:00 happens twice; a repeated time takes its first occurrence (CEST)
    (["Oct 25 01:30:00", "Oct 25 02:30:00", "Oct 25 03:30:00"], ["23:30", "00:30", "02:30"]),
])
def test_zone_assumption_across_dst_changes(tmp_path, lines, expected):
    path = write(tmp_path, [f"{stamp} web-01 app[1]: tick" for stamp in lines])
    events, ctx = parse(path, tz="Europe/Rome", reference=REFERENCE)
    assert events.sort("source_line")["timestamp"].dt.strftime("%H:%M").to_list() == expected
    assert events["timestamp"].dt.year().unique().to_list() == [2026]
    assert events["timestamp_quality"].unique().to_list() == ["year_inferred+tz_assumed"]
    assert "tz_assumed" in events["timestamp_quality"][0]
    assert any("Europe/Rome" in a for a in ctx.assumptions)


# -- PRI and the severity table --------------------------------------------------------------

@pytest.mark.parametrize("name", ["syslog", "syslog_rfc5424"])
def test_severity_table_is_pri_mod_8(name):
    table = load_all_specs()[name].severity_map
    assert table == {str(pri): PRI_SEVERITY[pri % 8] for pri in range(192)}


def test_pri_prefix_gives_severity(tmp_path):
    path = write(tmp_path, ["<0>Nov  9 12:00:00 web-01 app[1]: kern.emerg",
                            "<11>Nov  9 12:00:01 web-01 app[1]: user.err",
                            "<191>Nov  9 12:00:02 web-01 app[1]: local7.debug",
                            "Nov  9 12:00:03 web-01 app[1]: no PRI"])
    events, _ = parse(path)
    assert events.sort("source_line")["severity"].to_list() == ["critical", "error", "debug", None]
    assert json.loads(line(events, 2)["extra"]) == {"severity_raw": "11"}
    assert line(events, 4)["extra"] is None


# -- samples ---------------------------------------------------------------------------------

def test_sample_syslog():
    events, ctx = parse(SAMPLES / "syslog" / "syslog", tz="Europe/Rome")
    assert_accounting(events, ctx)
    assert [(u.line, u.reason) for u in ctx.unparsed] == [(27, "matches no syslog pattern")]
    actions = dict(events.select("source_line", "action").iter_rows())
    assert [actions[n] for n in (1, 3, 6, 12, 13, 17, 18, 20, 22, 23, 24, 25, 26, 29, 31, 32)] == [
        "boot", "link_up", "dhcp_lease", "service_failed", "service_failed", "link_down", "link_down",
        "segfault", "oom_kill", "io_error", "io_error", "mail_delivered", "mail_deferred",
        "shutdown", "shutdown", "shutdown"]
    # single-digit day, and a CRLF line at the end
    assert line(events, 1)["timestamp"] == datetime(2026, 11, 2, 5, 58, 1, tzinfo=timezone.utc)
    journal = line(events, 32)
    assert journal["raw"].endswith("Journal stopped") and journal["process"] == "systemd-journald"
    assert json.loads(line(events, 12)["extra"]) == {"unit": "mysql.service", "result": "exit-code"}
    assert json.loads(line(events, 22)["extra"]) == {"victim_pid": "4242", "victim": "java"}
    assert line(events, 20)["category"] == "process"
