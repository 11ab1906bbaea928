"""firefox_history: the real plaso places.sqlite, and download annotations of Firefox 26+."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import polars as pl

from parsers.code.browser_rows import prtime
from parsers.code.firefox_history import FirefoxHistoryParser
from tests.parsers.parse_helpers import CORPUS, assert_accounting, by_id, query_one, run, write_sqlite

PLACES = CORPUS / "browser" / "firefox" / "places.sqlite"
UNIX = datetime(1970, 1, 1, tzinfo=timezone.utc)


def test_prtime_conversion_known_values():
    frame = pl.DataFrame({"t": [1309518981371935, 1, 0, None]})
    got = frame.select(prtime(pl.col("t")))["t"].to_list()
    assert got[0] == datetime(2011, 7, 1, 11, 16, 21, 371935, tzinfo=timezone.utc)
    assert got[1] == datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=timezone.utc)
    assert got[2] is None and got[3] is None


def test_corpus_counts_and_span_match_sqlite(tmp_path):
    events, ctx = run(FirefoxHistoryParser(), PLACES, tmp_path)
    count, first, last = query_one(PLACES, "SELECT count(*), min(visit_date), max(visit_date) FROM moz_historyvisits")
    assert events.height == count == 1
    assert events["timestamp"].min() == UNIX + timedelta(microseconds=first)
    assert events["timestamp"].max() == UNIX + timedelta(microseconds=last)
    assert_accounting(events, ctx)


def test_corpus_visit_by_id(tmp_path):
    events, ctx = run(FirefoxHistoryParser(), PLACES, tmp_path)
    visit = by_id(events, ctx, "moz_historyvisits:1")
    assert visit["url"] == "http://news.google.com/" and visit["action"] == "page_visit"
    assert visit["timestamp"] == datetime(2011, 7, 1, 11, 16, 21, 371935, tzinfo=timezone.utc)
    extra = json.loads(visit["extra"])
    assert extra["title"] == "Google News" and extra["transition"] == "typed"
    assert visit["source_format"] == "firefox_history" and visit["category"] == "browser"


def test_download_annotations(tmp_path):
    path = write_sqlite(tmp_path / "places.sqlite", """
        CREATE TABLE moz_places(id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,
            rev_host LONGVARCHAR, visit_count INTEGER, hidden INTEGER, typed INTEGER,
            frecency INTEGER, last_visit_date INTEGER);
        CREATE TABLE moz_historyvisits(id INTEGER PRIMARY KEY, from_visit INTEGER,
            place_id INTEGER, visit_date INTEGER, visit_type INTEGER, session INTEGER);
        CREATE TABLE moz_anno_attributes(id INTEGER PRIMARY KEY, name VARCHAR(32));
        CREATE TABLE moz_annos(id INTEGER PRIMARY KEY, place_id INTEGER, anno_attribute_id INTEGER,
            content LONGVARCHAR, flags INTEGER, expiration INTEGER, type INTEGER,
            dateAdded INTEGER, lastModified INTEGER);
        INSERT INTO moz_places VALUES (1, 'https://www.example.com/', 'Example', NULL, 1, 0, 1, 0, 0);
        INSERT INTO moz_places VALUES (2, 'https://dl.example.org/setup%20tool.exe', 'setup tool.exe',
            NULL, 1, 0, 0, 0, 0);
        INSERT INTO moz_historyvisits VALUES (1, 0, 1, 1700000000000000, 1, 0);
        INSERT INTO moz_historyvisits VALUES (2, 1, 2, 1700000005000000, 7, 0);
        INSERT INTO moz_historyvisits VALUES (3, 0, 1, 1700000009000000, 9, 0);
        INSERT INTO moz_anno_attributes VALUES (1, 'downloads/destinationFileURI');
        INSERT INTO moz_anno_attributes VALUES (2, 'downloads/metaData');
        INSERT INTO moz_annos VALUES (7, 2, 1, 'file:///C:/Users/ann/Downloads/setup%20tool.exe',
            0, 4, 3, 1700000006000000, 1700000006000000);
        INSERT INTO moz_annos VALUES (8, 2, 2, '{"state":1,"endTime":1700000007000,"fileSize":4096}',
            0, 4, 3, 1700000007000000, 1700000007000000);
    """)
    events, ctx = run(FirefoxHistoryParser(), path, tmp_path)
    assert events.filter(pl.col("action") == "page_visit").height == 3
    download_visit = json.loads(by_id(events, ctx, "moz_historyvisits:2")["extra"])
    assert download_visit["transition"] == "download"
    assert download_visit["referrer"] == "https://www.example.com/"
    assert json.loads(by_id(events, ctx, "moz_historyvisits:3")["extra"])["transition"] == "reload"
    download = by_id(events, ctx, "moz_annos:7")
    assert download["action"] == "download" and download["outcome"] == "success"
    assert download["url"] == "https://dl.example.org/setup%20tool.exe"
    assert download["timestamp"] == datetime(2023, 11, 14, 22, 13, 26, tzinfo=timezone.utc)
    extra = json.loads(download["extra"])
    assert extra["target_path"] == "C:/Users/ann/Downloads/setup tool.exe"
    assert extra["state"] == "finished" and extra["file_size"] == 4096
    assert extra["end_time"] == "2023-11-14T22:13:27.000000Z"
    # the metaData annotation is folded into its download, not an event of its own
    assert ctx.units == 4
    assert_accounting(events, ctx)


def test_truncated_database_warns(tmp_path):
    cut = tmp_path / "places.sqlite"
    cut.write_bytes(PLACES.read_bytes()[:70_000])
    events, ctx = run(FirefoxHistoryParser(), cut, tmp_path)
    assert any("truncated" in w for w in ctx.warnings)
    assert_accounting(events, ctx)
