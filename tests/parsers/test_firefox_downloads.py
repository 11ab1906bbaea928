"""firefox_downloads: the real plaso downloads.sqlite (legacy moz_downloads)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from parsers.code.firefox_downloads import FirefoxDownloadsParser
from tests.parsers.parse_helpers import CORPUS, assert_accounting, by_id, query_one, run, write_sqlite

DOWNLOADS = CORPUS / "browser" / "firefox" / "downloads.sqlite"
UNIX = datetime(1970, 1, 1, tzinfo=timezone.utc)


def test_corpus_matches_sqlite(tmp_path):
    events, ctx = run(FirefoxDownloadsParser(), DOWNLOADS, tmp_path)
    count, first, last = query_one(DOWNLOADS, "SELECT count(*), min(startTime), max(startTime) FROM moz_downloads")
    assert events.height == count == 1
    assert events["timestamp"].min() == UNIX + timedelta(microseconds=first)
    assert events["timestamp"].max() == UNIX + timedelta(microseconds=last)
    assert_accounting(events, ctx)


def test_corpus_download_by_id(tmp_path):
    events, ctx = run(FirefoxDownloadsParser(), DOWNLOADS, tmp_path)
    download = by_id(events, ctx, "moz_downloads:1")
    assert download["action"] == "download" and download["outcome"] == "success"
    assert download["url"] == "https://plaso.googlecode.com/files/plaso-static-1.0.1-win32-vs2008.zip"
    assert download["timestamp"] == datetime(2013, 7, 18, 18, 59, 59, 312000, tzinfo=timezone.utc)
    extra = json.loads(download["extra"])
    assert extra["target_path"] == "D:/plaso-static-1.0.1-win32-vs2008.zip"
    assert extra["mime"] == "application/zip" and extra["state"] == "finished"
    assert extra["end_time"] == "2013-07-18T19:01:18.578000Z"
    assert json.loads(download["raw"])["startTime"] == 1374173999312000


def test_null_start_time_is_unparsed(tmp_path):
    path = write_sqlite(tmp_path / "downloads.sqlite", """
        CREATE TABLE moz_downloads (id INTEGER PRIMARY KEY, name TEXT, source TEXT, target TEXT,
            tempPath TEXT, startTime INTEGER, endTime INTEGER, state INTEGER, referrer TEXT,
            entityID TEXT, currBytes INTEGER, maxBytes INTEGER, mimeType TEXT,
            preferredApplication TEXT, preferredAction INTEGER, autoResume INTEGER);
        INSERT INTO moz_downloads VALUES (1, 'a.exe', 'https://example.com/a.exe',
            'file:///tmp/a.exe', '', NULL, NULL, 3, 'https://example.com/', '', 0, 10, '', '', 0, 0);
        INSERT INTO moz_downloads VALUES (2, 'b.exe', 'https://example.com/b.exe',
            'file:///tmp/b.exe', '', 1700000000000000, NULL, 3, NULL, '', 0, 10, '', '', 0, 0);
    """)
    events, ctx = run(FirefoxDownloadsParser(), path, tmp_path)
    assert events.height == 1 and ctx.unparsed[0].record == "moz_downloads:1"
    assert by_id(events, ctx, "moz_downloads:2")["outcome"] == "failure"  # canceled
    assert_accounting(events, ctx)
