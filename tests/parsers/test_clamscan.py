"""clamscan: untimed per-file lines take their run's summary Start Date; detections and scans are events."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from parsers.base import Source
from parsers.code.clamscan import ClamscanParser
from parsers.registry import all_parsers, detect
from parsers.selfcheck import check_spec
from tests.parsers.parse_helpers import SAMPLES, assert_accounting, by_id, run

SAMPLE = SAMPLES / "clamscan" / "clamscan.log"
PARSER = ClamscanParser()


def test_spec_selfcheck():
    assert check_spec(all_parsers()["clamscan"].spec) == []


def test_detection_keeps_clamd_logs_with_the_clamav_spec():
    assert detect(Source(SAMPLE, "scan-output.txt")).parser.name == "clamscan"
    clamd = SAMPLES / "clamav" / "clamd.log"
    assert detect(Source(clamd, clamd.name)).parser.name == "clamav"


def test_sample_runs(tmp_path):
    events, ctx = run(PARSER, SAMPLE, tmp_path, tz="Europe/Rome")
    start_time = datetime(2026, 11, 22, 9, 0, 1, tzinfo=timezone.utc)
    found = by_id(events, ctx, "4")
    assert (found["action"], found["severity"], found["category"]) == ("threat_detected", "warning", "malware")
    assert found["timestamp"] == start_time and found["timestamp_quality"] == "tz_assumed"
    extra = json.loads(found["extra"])
    assert extra == {"threat": "Win.Trojan.Agent-1", "path": "/home/ann/Downloads/invoice.pdf.exe",
                     "time_from_line": 20}
    # a path holding ": " stays whole
    assert json.loads(by_id(events, ctx, "6")["extra"])["path"] == "/home/ann/Downloads/notes: v2.zip"
    assert by_id(events, ctx, "5")["action"] == "log_line"
    assert by_id(events, ctx, "8")["severity"] == "warning"
    start, end = by_id(events, ctx, "20"), by_id(events, ctx, "21")
    assert (start["action"], end["action"], end["outcome"]) == ("av_scan", "av_scan", "success")
    assert start["timestamp"] == start_time
    assert end["timestamp"] == datetime(2026, 11, 22, 9, 0, 13, tzinfo=timezone.utc)
    end_extra = json.loads(end["extra"])
    assert end_extra["phase"] == "end" and end_extra["infected_files"] == "2" and end_extra["scanned_files"] == "41"
    # second run, CRLF, Windows path, its own Start Date
    windows = by_id(events, ctx, "25")
    assert windows["action"] == "threat_detected"
    assert windows["timestamp"] == datetime(2026, 11, 23, 8, 5, tzinfo=timezone.utc)
    reasons = {u.line: u.reason for u in ctx.unparsed}
    assert reasons.pop(9) == "not a clamscan result or summary line"
    assert set(reasons.values()) == {"layout line"}
    assert events.filter(events["action"] == "threat_detected").height == 3
    assert_accounting(events, ctx)


def test_run_without_summary_is_unparsed(tmp_path):
    path = tmp_path / "clamscan.log"
    path.write_text("-" * 79 + "\n/srv/a.exe: Win.Test.A FOUND\n" + "-" * 79 + "\n"
                    "/srv/b.exe: Win.Test.B FOUND\n----------- SCAN SUMMARY -----------\n"
                    "Start Date: 2026:11:22 10:00:01\nEnd Date:   2026:11:22 10:00:02\n")
    events, ctx = run(PARSER, path, tmp_path)
    assert [u.line for u in ctx.unparsed if u.reason.startswith("no scan summary")] == [2]
    assert by_id(events, ctx, "4")["timestamp"] == datetime(2026, 11, 22, 10, 0, 1, tzinfo=timezone.utc)
    assert_accounting(events, ctx)
