"""defender_mplog: the line spec on its synthetic sample (no public real MPLog was found)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from parsers.registry import all_parsers
from parsers.selfcheck import check_spec
from tests.parsers.parse_helpers import SAMPLES, assert_accounting, run

SAMPLE = SAMPLES / "defender_mplog" / "MPLog-20261122-091000.log"


def test_spec_selfcheck():
    assert check_spec(all_parsers()["defender_mplog"].spec) == []


def test_sample(tmp_path):
    events, ctx = run(all_parsers()["defender_mplog"], SAMPLE, tmp_path, tz="America/New_York")
    by_line = {row["source_line"]: row for row in events.to_dicts()}
    impact = by_line[1]
    assert (impact["metric_name"], impact["metric_value"], impact["process"]) == ("av_impact_pct", 87.0, "svchost.exe")
    assert impact["timestamp"] == datetime(2026, 11, 22, 9, 10, 55, 472000, tzinfo=timezone.utc)
    detected = by_line[2]
    assert detected["action"] == "threat_detected"
    assert json.loads(detected["extra"])["threat"] == "Trojan:Win32/Wacatac.B!ml"
    assert by_line[3]["action"] == "threat_action"  # CRLF, one-digit fraction
    assert by_line[4]["action"] == "av_scan" and json.loads(by_line[4]["extra"])["phase"] == "Start"
    assert by_line[6]["action"] == "av_scan" and json.loads(by_line[6]["extra"])["phase"] == "completed"
    assert [u.line for u in ctx.unparsed] == [5]
    assert_accounting(events, ctx)
