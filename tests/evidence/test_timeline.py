"""evidence.timeline: order, skew, duplicates, coverage and gaps on hand-built frames."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from evidence.timeline import build_timeline
from tests.evidence.frames import at, ev, frame, heartbeat


def _pair(offset_hours: float, shared: int = 5) -> list[dict]:
    """journald (exact) and syslog (zone assumed) see the same daemon lines; syslog's clock is
    offset_hours behind."""
    rows = []
    for n in range(shared):
        hours = 1 + n * 0.5
        text = f"worker {n} restarted"
        rows.append(ev("journal.json", n + 1, hours, fmt="journald", process="app", message=text))
        rows.append(ev("syslog", n + 1, hours - offset_hours, fmt="syslog", process="app", message=text,
                       quality="year_inferred+tz_assumed"))
    return rows


def test_skew_is_detected_and_corrected_onto_the_better_clock():
    timeline = build_timeline(frame(_pair(1.0)))
    (skew,) = timeline.skews
    assert (skew.source_file, skew.reference_file) == ("syslog", "journal.json")
    assert skew.offset_seconds == 3600 and skew.matches == 5 and skew.corrected
    assert any("syslog: its clock differs from journal.json by +60 min" in a and "whole zone offset" in a
               for a in timeline.assumptions)
    # once corrected, every line is seen twice at the same second: one copy each is kept
    assert timeline.frame.height == 5
    assert set(timeline.frame["source_file"]) == {"journal.json"}


def test_skew_with_few_matches_is_reported_not_corrected():
    rows = _pair(0.25, shared=2)
    timeline = build_timeline(frame(rows))
    (skew,) = timeline.skews
    assert skew.offset_seconds == 900 and not skew.corrected
    assert any("not corrected" in w for w in timeline.warnings)
    assert timeline.frame.height == 4  # nothing merged: the clocks still disagree


def test_same_boot_seen_by_two_sources_gives_the_offset():
    rows = [ev("kern.log", 1, 5.0, "boot", quality="tz_assumed", message="Linux version 6.1"),
            ev("System.evtx", 1, 5.0 + 2 / 60, "boot", message="6005 event log started")]
    (skew,) = build_timeline(frame(rows)).skews
    assert skew.source_file == "kern.log" and skew.offset_seconds == 120 and skew.matches == 1


def test_no_skew_between_agreeing_sources():
    assert build_timeline(frame(_pair(0.0))).skews == []


def test_same_line_in_syslog_and_journald_is_one_event():
    line = "php-fpm.service: Main process exited, code=killed"
    rows = [ev("syslog", 7, 2.0, "service_failed", process="systemd", message=line, quality="year_inferred"),
            ev("journal.json", 3, 2.0 + 0.4 / 3600, "service_failed", process="systemd", message=line),
            ev("syslog", 8, 2.1, process="cron", message="job ran")]
    timeline = build_timeline(frame(rows))
    failed = timeline.frame.filter(pl.col("action") == "service_failed")
    assert failed["event_id"].to_list() == ["journal.:3"]
    assert timeline.duplicates == [{"dropped_from": "syslog", "kept_in": "journal.json", "events": 1}]
    assert timeline.frame.height == 2


def test_repeats_inside_one_file_are_kept():
    rows = [ev("syslog", n, 2.0, process="sshd", message="Failed password for root") for n in (1, 2, 3)]
    assert build_timeline(frame(rows)).frame.height == 3


def test_gap_is_silence_far_longer_than_the_rhythm():
    rows = heartbeat("syslog", 0, 5) + heartbeat("syslog", 9, 12, first_line=5000)
    timeline = build_timeline(frame(rows))
    (gap,) = timeline.gaps
    assert gap.start == at(5) and gap.end == at(9) and gap.rhythm_seconds == 600
    assert any("syslog: no events from" in w and "4 h" in w for w in timeline.warnings)
    assert not timeline.covers("syslog", at(4), at(10))
    assert timeline.covers("syslog", at(1), at(4))


def test_steady_source_has_no_gap():
    assert build_timeline(frame(heartbeat("syslog", 0, 24))).gaps == []


def test_order_is_time_then_file_then_line_and_coverage_per_source_and_host():
    rows = [ev("b.log", 2, 1.0), ev("a.log", 9, 1.0), ev("a.log", 1, 0.5, host="db-01")]
    timeline = build_timeline(frame(rows[::-1]))
    assert timeline.frame["event_id"].to_list() == ["a.log:1", "a.log:9", "b.log:2"]
    assert [s.source_file for s in timeline.sources] == ["a.log", "b.log"]
    assert timeline.first == at(0.5) and timeline.last == at(1.0)
    assert [h["host"] for h in timeline.hosts] == ["db-01", "web-01"]
    assert timeline.source("a.log").first + timedelta(minutes=30) == timeline.source("a.log").last
