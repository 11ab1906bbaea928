"""auditd: raw, node-prefixed and ENRICHED audit logs; one event per record."""

import json
from datetime import datetime, timezone

import polars as pl
import pytest

from tests.parsers.parse_helpers import CORPUS, SAMPLES, line
from tests.parsers.text_formats import line_count, parse, parser_for

PARSER = parser_for("auditd")
AUDITD = CORPUS / "auditd"


def utc(*parts):
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.mark.parametrize("name, events_expected, unparsed, serials, first, last", [
    ("audit-rhel7.log", 49, 1, 46, utc(2016, 12, 7, 2, 16, 32, 414000), utc(2017, 4, 21, 4, 37, 47, 18000)),
    ("audit_enriched.log", 29, 0, 12, utc(2026, 7, 7, 8, 56, 13, 76000), utc(2026, 7, 7, 9, 23, 37, 830000)),
    ("auparse_test3_node.log", 15, 0, 8, utc(2016, 1, 3, 0, 37, 51, 394000), utc(2016, 1, 3, 0, 37, 51, 602000)),
    ("auparse_test4.log", 13, 0, 2, utc(2022, 6, 17, 11, 29, 58, 534000), utc(2022, 6, 17, 11, 30, 4, 819000)),
])
def test_corpus_counts_and_bounds(name, events_expected, unparsed, serials, first, last):
    path = AUDITD / name
    events, ctx = parse(PARSER, path)
    assert (events.height, ctx.unparsed_count) == (events_expected, unparsed)
    assert ctx.units == line_count(path)
    assert events.sort("source_line")["timestamp"][0] == first
    assert events.sort("source_line")["timestamp"][-1] == last
    serial = pl.col("extra").str.json_path_match("$.audit_serial")
    assert events.select(serial.n_unique()).item() == serials


def test_rhel7_records():
    events, ctx = parse(PARSER, AUDITD / "audit-rhel7.log")
    assert ctx.unparsed[0].line == 31  # "type=UNKNOWN[1329] msg=?"
    assert events["timestamp"].min() == utc(2016, 12, 7, 2, 16, 23, 819000)
    assert events["timestamp"].max() == utc(2017, 7, 21, 18, 28, 19, 656000)
    add_user = line(events, 2)
    assert (add_user["event_code"], add_user["action"], add_user["outcome"]) == ("ADD_USER", "account_created", "success")
    assert (add_user["process"], add_user["pid"]) == ("/usr/sbin/useradd", 1264)
    cred = line(events, 5)
    assert (cred["user"], cred["src_ip"]) == ("andrew_kroh", "96.241.146.97")
    assert json.loads(cred["extra"])["audit_serial"] == "413"
    actions = set(events["action"])
    assert {"account_created", "account_changed", "config_change", "login", "boot",
            "service_start", "service_stop", "session_open", "session_close", "privilege_use"} <= actions


def test_enriched_records():
    events, _ = parse(PARSER, AUDITD / "audit_enriched.log")
    failed = line(events, 4)
    assert (failed["action"], failed["outcome"], failed["user"], failed["src_ip"]) == (
        "login_failed", "failure", "root", "172.23.112.1")
    assert json.loads(failed["extra"])["enriched"] == 'UID="root" AUID="unset"'
    assert "\x1d" not in failed["message"]
    deleted = line(events, 1)
    assert (deleted["action"], deleted["outcome"], deleted["user"]) == ("account_deleted", "failure", "specimenuser")
    assert line(events, 3)["action"] == "privilege_use"
    execs = events.filter(pl.col("action") == "process_start")
    assert execs["process"].to_list() == ["/usr/bin/id", "/usr/bin/bash", "/usr/bin/cat"]


def test_node_prefix_gives_host():
    events, _ = parse(PARSER, AUDITD / "auparse_test3_node.log")
    assert set(events["host"]) == {"auditdtest.a1959.org"}
    assert line(events, 15)["user"] == "frodo"


def test_long_execve_records():
    events, _ = parse(PARSER, AUDITD / "auparse_test4.log")
    start = line(events, 1)
    assert (start["action"], start["outcome"], start["pid"]) == ("process_start", "success", 105183)
    assert line(events, 2)["message"].startswith('argc=48 a0="/bin/sh"')


def test_synthetic_audit_log():
    events, ctx = parse(PARSER, SAMPLES / "auditd" / "audit.log")
    assert (events.height, ctx.unparsed_count) == (12, 1) and ctx.unparsed[0].line == 11
    assert line(events, 3)["action"] == "service_failed"
    assert [line(events, n)["action"] for n in (4, 5, 6, 7)] == ["login_failed", "login_failed", "login", "login"]
    assert line(events, 12)["host"] == "web-01.example.com"
    sudo = line(events, 13)
    assert sudo["action"] == "privilege_use" and json.loads(sudo["extra"])["cmd"] == "cat /etc/shadow"


def test_hex_encoded_values_are_decoded_in_real_logs():
    # auditd writes a value holding a space or a byte outside ASCII as hex digits
    events, _ = parse(PARSER, AUDITD / "audit-rhel7.log")
    deleted = line(events, 28)
    assert deleted["process"] == "/usr/bin/python2.7;58d1ccfb (deleted)"
    assert "exe_hex" not in json.loads(deleted["extra"])
    assert json.loads(line(events, 34)["extra"])["cmd"] == "./metricbeat -c mb.dev.yml"
    events, _ = parse(PARSER, AUDITD / "audit_enriched.log")
    titles = {n: json.loads(line(events, n)["extra"])["proctitle"] for n in (9, 17, 23, 29)}
    # a command's arguments are NUL-separated: read with spaces between them
    assert titles == {9: "sshd-session: root [priv]", 17: "id", 23: "/bin/sh -c grep -c . /etc/hostname",
                      29: "/usr/bin/cat /tmp/my report.txt"}


def test_hex_user_name_and_undecodable_bytes(tmp_path):
    path = tmp_path / "audit.log"
    path.write_text(
        "type=USER_AUTH msg=audit(1763633409.000:579): pid=2130 uid=0 auid=4294967295 ses=4294967295 "
        "msg='op=PAM:authentication grantors=? acct=6A6F686E20646F65 exe=\"/usr/sbin/sshd\" hostname=? "
        "addr=192.0.2.7 terminal=ssh res=failed'\n"
        "type=PROCTITLE msg=audit(1763633410.000:580): proctitle=2F62696EFF2D6C00\n"
        "type=USER_CMD msg=audit(1763633411.000:581): pid=1 uid=0 auid=0 ses=1 msg='cwd=\"/\" "
        "cmd=C3A974C3A920636166C3A9 exe=\"/usr/bin/sudo\" terminal=pts/0 res=success'\n")
    events, ctx = parse(PARSER, path)
    assert ctx.unparsed_count == 0
    failed = line(events, 1)
    assert (failed["action"], failed["user"]) == ("login_failed", "john doe")
    assert "acct_hex" not in json.loads(failed["extra"])
    assert json.loads(line(events, 2)["extra"])["proctitle"] == "/bin\ufffd-l"  # a bad byte, replaced
    assert json.loads(line(events, 3)["extra"])["cmd"] == "été café"
