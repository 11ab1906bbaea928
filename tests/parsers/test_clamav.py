"""clamav: the line spec on its synthetic sample (clamd, freshclam, clamscan summary)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from parsers.registry import all_parsers
from parsers.selfcheck import check_spec
from tests.parsers.parse_helpers import SAMPLES, assert_accounting, run

SAMPLE = SAMPLES / "clamav" / "clamd.log"


def test_spec_selfcheck():
    assert check_spec(all_parsers()["clamav"].spec) == []


def test_sample(tmp_path):
    events, ctx = run(all_parsers()["clamav"], SAMPLE, tmp_path, tz="Europe/Rome")
    by_line = {row["source_line"]: row for row in events.to_dicts()}
    found = by_line[2]
    assert found["action"] == "threat_detected"
    assert found["timestamp"] == datetime(2026, 11, 22, 9, 0, 1, tzinfo=timezone.utc)
    assert json.loads(found["extra"])["threat"] == "Win.Trojan.Agent-1"
    assert by_line[3]["action"] == "update" and by_line[3]["outcome"] == "success"
    assert by_line[4]["outcome"] == "failure"  # CRLF line
    start, end = by_line[6], by_line[7]
    assert (start["action"], end["action"]) == ("av_scan", "av_scan")
    assert json.loads(start["extra"])["phase"] == "Start" and json.loads(end["extra"])["phase"] == "End"
    assert [u.line for u in ctx.unparsed] == [5]
    assert_accounting(events, ctx)
