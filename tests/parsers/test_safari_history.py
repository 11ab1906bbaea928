"""safari_history: the real plaso Safari History.db (Cocoa absolute times)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import polars as pl

from parsers.code.browser_rows import cocoa_time
from parsers.code.safari_history import SafariHistoryParser
from tests.parsers.parse_helpers import CORPUS, assert_accounting, by_id, query_one, run

HISTORY = CORPUS / "browser" / "safari" / "History.db"
COCOA = datetime(2001, 1, 1, tzinfo=timezone.utc)


def cocoa(seconds: float) -> datetime:
    return COCOA + timedelta(microseconds=round(seconds * 1_000_000))


def test_cocoa_conversion_known_values():
    frame = pl.DataFrame({"t": [531955414.791503, 0.5, 0.0, None]})
    got = frame.select(cocoa_time(pl.col("t")))["t"].to_list()
    assert got[0] == datetime(2017, 11, 9, 21, 23, 34, 791503, tzinfo=timezone.utc)
    assert got[1] == datetime(2001, 1, 1, 0, 0, 0, 500000, tzinfo=timezone.utc)
    assert got[2] is None and got[3] is None


def test_corpus_counts_and_span_match_sqlite(tmp_path):
    events, ctx = run(SafariHistoryParser(), HISTORY, tmp_path)
    count, first, last = query_one(HISTORY, "SELECT count(*), min(visit_time), max(visit_time) FROM history_visits")
    assert events.height == count == 25
    assert events["timestamp"].min() == cocoa(first)
    assert events["timestamp"].max() == cocoa(last)
    assert_accounting(events, ctx)


def test_corpus_visits_by_id(tmp_path):
    events, ctx = run(SafariHistoryParser(), HISTORY, tmp_path)
    first = by_id(events, ctx, "history_visits:36")
    assert first["url"] == "http://start.ubuntu.com/current/Google/?sourceid=hp"
    assert first["timestamp"] == datetime(2017, 11, 9, 21, 23, 34, 791503, tzinfo=timezone.utc)
    assert json.loads(first["extra"])["title"] == "Ubuntu Start Page"
    # visit 38 is where facebook.com (visit 37) redirected to
    redirected = json.loads(by_id(events, ctx, "history_visits:38")["extra"])
    assert redirected["referrer"] == "http://facebook.com/" and redirected["redirect_source"] == 37


def test_truncated_database_warns(tmp_path):
    cut = tmp_path / "History.db"
    cut.write_bytes(HISTORY.read_bytes()[:50_000])
    events, ctx = run(SafariHistoryParser(), cut, tmp_path)
    assert any("truncated" in w for w in ctx.warnings)
    assert_accounting(events, ctx)
