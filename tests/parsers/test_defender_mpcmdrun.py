"""defender_mpcmdrun: MpCmdRun.log blocks (UTF-16LE with BOM, CRLF) -> av_scan, update, threat events."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from parsers.base import Source
from parsers.code.defender_mpcmdrun import DefenderMpCmdRunParser, read_stamp
from parsers.registry import all_parsers, detect
from parsers.selfcheck import check_spec
from tests.parsers.parse_helpers import SAMPLES, assert_accounting, by_id, run

SAMPLE = SAMPLES / "defender_mpcmdrun" / "MpCmdRun.log"
PARSER = DefenderMpCmdRunParser()


def test_spec_selfcheck():
    assert check_spec(all_parsers()["defender_mpcmdrun"].spec) == []


def test_sample_is_utf16_and_detected():
    assert SAMPLE.read_bytes().startswith(b"\xff\xfe")
    assert detect(Source(SAMPLE, "Temp/MpCmdRun.log")).parser.name == "defender_mpcmdrun"


def test_sample_blocks(tmp_path):
    events, ctx = run(PARSER, SAMPLE, tmp_path, tz="Europe/Rome")
    update_start, update_end = by_id(events, ctx, "4"), by_id(events, ctx, "10")
    assert (update_start["action"], update_end["action"], update_end["outcome"]) == ("update", "update", "success")
    # U+200E marks around the date parts; local Rome time -> UTC
    assert update_start["timestamp"] == datetime(2026, 11, 22, 3, 0, 2, tzinfo=timezone.utc)
    assert update_start["timestamp_quality"] == "tz_assumed"
    scan_start, scan_end = by_id(events, ctx, "13"), by_id(events, ctx, "23")
    assert (scan_start["action"], scan_end["action"], scan_end["outcome"]) == ("av_scan", "av_scan", "success")
    assert json.loads(scan_start["extra"])["phase"] == "start" and json.loads(scan_end["extra"])["phase"] == "end"
    assert json.loads(scan_start["extra"])["scan_type"] == "full"
    assert scan_end["timestamp"] == datetime(2026, 11, 22, 9, 42, 10, tzinfo=timezone.utc)
    threat = by_id(events, ctx, "19")
    assert (threat["action"], threat["severity"], threat["category"]) == ("threat_detected", "warning", "malware")
    extra = json.loads(threat["extra"])
    assert extra["threat"] == "Trojan:Win32/Wacatac.B!ml"
    assert extra["resources"] == ["file:C:\\Users\\ann\\Downloads\\invoice.pdf.exe"]
    # an untimed line takes its block's last known time and says where it came from
    assert threat["timestamp"] == scan_start["timestamp"] and extra["time_from_line"] == 13
    command = by_id(events, ctx, "12")  # before Start Time: takes Start Time
    assert command["timestamp"] == scan_start["timestamp"] and command["action"] == "log_line"
    # French names ("dim. nov. 22 2026"), failed custom scan
    custom_end = by_id(events, ctx, "31")
    assert custom_end["timestamp"] == datetime(2026, 11, 22, 9, 50, 4, tzinfo=timezone.utc)
    assert custom_end["outcome"] == "failure" and json.loads(custom_end["extra"])["hr"] == "0x80508023"
    assert by_id(events, ctx, "29")["severity"] == "error"
    reasons = {u.line: u.reason for u in ctx.unparsed}
    assert reasons[1].startswith("before the first block")
    assert {n for n, r in reasons.items() if r == "layout line"} == {2, 5, 11, 14, 24, 27, 32}
    assert ctx.units == 32 and events.height == 24
    assert_accounting(events, ctx)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16-le", "utf-16"])
def test_encodings_give_the_same_events(tmp_path, encoding):
    text = SAMPLE.read_bytes().decode("utf-16").replace("\r\n", "\n")
    path = tmp_path / "MpCmdRun.log"
    path.write_bytes(text.encode(encoding))
    events, ctx = run(PARSER, path, tmp_path, tz="Europe/Rome")
    assert events.height == 24 and ctx.unparsed_count == 8
    assert by_id(events, ctx, "19")["action"] == "threat_detected"
    assert_accounting(events, ctx)


def test_block_without_time_is_unparsed(tmp_path):
    path = tmp_path / "MpCmdRun.log"
    path.write_text("MpCmdRun: Command Line: MpCmdRun.exe -Scan -ScanType 1\n Start Time: soon\n"
                    "Scan starting...\n")
    events, ctx = run(PARSER, path, tmp_path)
    assert events.height == 0 and ctx.unparsed_count == ctx.units == 3


@pytest.mark.parametrize("text, expected", [
    ("Thu Apr 01 2021 22:25:24", datetime(2021, 4, 1, 22, 25, 24)),
    (" Thu  Apr  01  2021 22:25:24", datetime(2021, 4, 1, 22, 25, 24)),
    ("mar. jul. 15 2025 10:11:20", datetime(2025, 7, 15, 10, 11, 20)),
    ("mer. juin 4 2025 08:00:00", datetime(2025, 6, 4, 8, 0, 0)),
    ("Mi Dez 3 2025 23:59:59", datetime(2025, 12, 3, 23, 59, 59)),
    ("Thu Feb 30 2021 10:00:00", None),
    ("Thu Foo 01 2021 10:00:00", None),
])
def test_read_stamp(text, expected):
    assert read_stamp(text) == expected


def test_file_cut_at_its_top_starts_at_start_time(tmp_path):
    path = tmp_path / "MpCmdRun.log"
    path.write_text("ld: -ScanType 1\n Start Time: Sun Nov 22 2026 10:00:01\nScan starting...\n"
                    "MpCmdRun: End Time: Sun Nov 22 2026 10:00:09\n")
    events, ctx = run(PARSER, path, tmp_path)
    assert [u.line for u in ctx.unparsed] == [1]
    assert by_id(events, ctx, "3")["timestamp"] == datetime(2026, 11, 22, 10, 0, 1, tzinfo=timezone.utc)
    assert by_id(events, ctx, "4")["action"] == "log_line"  # no command: not known to be a scan
    assert_accounting(events, ctx)
