"""syslog_iso: rsyslog high-precision timestamps with their own offsets; nothing assumed."""

from __future__ import annotations

from datetime import datetime, timezone

import polars as pl

from parsers.registry import all_parsers
from tests.parsers.parse_helpers import SAMPLES, assert_accounting
from tests.parsers.test_syslog import line, parse, write

ISO = all_parsers()["syslog_iso"]


def test_offsets_and_fractions(tmp_path):
    path = write(tmp_path, [
        "2026-03-29T02:30:00.123456+01:00 web-01 app[7]: an offset makes the skipped hour harmless",
        "2026-10-25T02:30:00.5+02:00 web-01 app[7]: first 02:30",
        "2026-10-25T02:30:00.5+01:00 web-01 app[7]: second 02:30",
        "2026-11-22T10:00:00-05:00 web-01 app[7]: no fraction",
    ])
    events, ctx = parse(path, tz="Europe/Rome", parser=ISO)
    assert events.sort("source_line")["timestamp"].to_list() == [
        datetime(2026, 3, 29, 1, 30, 0, 123456, tzinfo=timezone.utc),
        datetime(2026, 10, 25, 0, 30, 0, 500000, tzinfo=timezone.utc),
        datetime(2026, 10, 25, 1, 30, 0, 500000, tzinfo=timezone.utc),
        datetime(2026, 11, 22, 15, 0, tzinfo=timezone.utc),
    ]
    assert events["timestamp_quality"].unique().to_list() == ["exact"]
    assert ctx.assumptions == []


def test_other_timestamped_formats_are_not_syslog_iso(tmp_path):
    # dnf.log (+hhmm) and MPLog (Z) put words after an ISO time too
    path = write(tmp_path, ["2026-11-20T10:00:00+0100 SUBDEBUG Upgrade: curl-8.2.1-3.fc39.x86_64",
                            "2026-11-22T09:11:02.013Z DETECTIONEVENT MPSOURCE_REALTIME Trojan:Win32/X"])
    events, ctx = parse(path, parser=ISO)
    assert ctx.unparsed_count == 2


def test_sample():
    events, ctx = parse(SAMPLES / "syslog_iso" / "syslog", parser=ISO)
    assert_accounting(events, ctx)
    assert [(u.line, u.reason) for u in ctx.unparsed] == [(9, "matches no syslog_iso pattern")]
    actions = dict(events.select("source_line", "action").iter_rows())
    assert [actions[n] for n in (1, 2, 3, 4, 6, 7, 8, 10, 11, 12)] == [
        "boot", "service_start", "cron_run", "login", "watchdog", "io_error", "service_failed",
        "login_failed", "shutdown", "shutdown"]
    # a line with a -05:00 offset among +01:00 ones, and a CRLF line at the end
    assert line(events, 10)["timestamp"] == datetime(2026, 11, 22, 15, 25, 30, 250000, tzinfo=timezone.utc)
    assert line(events, 12)["raw"].endswith("Reached target Shutdown.")
    assert line(events, 4)["src_ip"] == "192.0.2.60"
    assert events.filter(pl.col("process") == "kernel")["pid"].null_count() == 3
