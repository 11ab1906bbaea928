"""chrome_history: the real plaso Chrome History, a modern synthetic schema, WAL and damage."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime, timedelta, timezone

import polars as pl
import pytest

from parsers.code.browser_rows import webkit_time
from parsers.code.chrome_history import ChromeHistoryParser
from parsers.base import Source
from tests.parsers.parse_helpers import CORPUS, assert_accounting, by_id, query_one, run

HISTORY = CORPUS / "browser" / "chrome" / "History"
WEBKIT_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)


def webkit(micros: int) -> datetime:
    return WEBKIT_EPOCH + timedelta(microseconds=micros)


def test_webkit_conversion_known_values():
    frame = pl.DataFrame({"t": [12946651391000000, 13253431286123456, 0, None]})
    got = frame.select(webkit_time(pl.col("t")))["t"].to_list()
    assert got[0] == datetime(2011, 4, 7, 12, 3, 11, tzinfo=timezone.utc)
    assert got[1] == datetime(2020, 12, 26, 4, 41, 26, 123456, tzinfo=timezone.utc)
    assert got[1] == webkit(13253431286123456)
    assert got[2] is None and got[3] is None


def test_corpus_counts_and_span_match_sqlite(tmp_path):
    events, ctx = run(ChromeHistoryParser(), HISTORY, tmp_path)
    visits, first, last = query_one(HISTORY, "SELECT count(*), min(visit_time), max(visit_time) FROM visits")
    downloads = query_one(HISTORY, "SELECT count(*) FROM downloads")[0]
    pages = events.filter(pl.col("action") == "page_visit")
    assert pages.height == visits == 69
    assert events.filter(pl.col("action") == "download").height == downloads == 2
    assert pages["timestamp"].min() == webkit(first)
    assert pages["timestamp"].max() == webkit(last)
    assert_accounting(events, ctx)
    assert ctx.units == 71 and ctx.unparsed_count == 0


def test_corpus_rows_by_id(tmp_path):
    events, ctx = run(ChromeHistoryParser(), HISTORY, tmp_path)
    visit = by_id(events, ctx, "visits:1")
    assert visit["url"] == "http://start.ubuntu.com/10.04/Google/"
    assert visit["timestamp"] == datetime(2011, 4, 7, 12, 3, 11, tzinfo=timezone.utc)
    assert visit["source_record"] == "visits:1" and visit["source_line"] is None
    extra = json.loads(visit["extra"])
    assert extra["title"] == "Ubuntu Start Page"
    assert extra["transition"] == "link"
    assert extra["transition_qualifiers"] == ["chain_start", "chain_end"]
    assert json.loads(visit["raw"])["visit_time"] == 12946651391000000
    # the old (2011) schema keeps download times in POSIX seconds and the path in full_path
    download = by_id(events, ctx, "downloads:1")
    assert download["url"] == "http://fatloss4idiotsx.com/download/funcats/funcats_scr.exe"
    assert download["timestamp"] == datetime(2011, 5, 23, 8, 35, 30, tzinfo=timezone.utc)
    assert download["outcome"] == "success" and download["category"] == "browser"
    assert json.loads(download["extra"])["target_path"] == "/home/john/Downloads/funcats_scr.exe"


def _modern_history(path, wal: bool = False) -> None:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.executescript("""
        CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
        CREATE TABLE urls(id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,
            visit_count INTEGER, typed_count INTEGER, last_visit_time INTEGER, hidden INTEGER);
        CREATE TABLE visits(id INTEGER PRIMARY KEY, url INTEGER, visit_time INTEGER,
            from_visit INTEGER, transition INTEGER, segment_id INTEGER, visit_duration INTEGER);
        CREATE TABLE downloads(id INTEGER PRIMARY KEY, guid VARCHAR, current_path LONGVARCHAR,
            target_path LONGVARCHAR, start_time INTEGER, received_bytes INTEGER,
            total_bytes INTEGER, state INTEGER, danger_type INTEGER, interrupt_reason INTEGER,
            hash BLOB, end_time INTEGER, opened INTEGER, last_access_time INTEGER,
            transient INTEGER, referrer VARCHAR, site_url VARCHAR, tab_url VARCHAR,
            tab_referrer_url VARCHAR, http_method VARCHAR, mime_type VARCHAR,
            original_mime_type VARCHAR);
        CREATE TABLE downloads_url_chains(id INTEGER, chain_index INTEGER, url LONGVARCHAR,
            PRIMARY KEY (id, chain_index));
        INSERT INTO meta VALUES ('version', '56');
        INSERT INTO urls VALUES (1, 'https://www.example.com/', 'Example', 1, 1, 0, 0);
        INSERT INTO urls VALUES (2, 'https://www.example.com/login', 'Login', 1, 0, 0, 0);
        INSERT INTO urls VALUES (3, 'https://www.example.com/login', 'Login', 1, 0, 0, 0);
        -- typed + chain start/end + from address bar
        INSERT INTO visits VALUES (10, 1, 13253431286123456, 0, 838860801, 0, 1500000);
        -- form_submit reached from visit 10
        INSERT INTO visits VALUES (11, 2, 13253431300000000, 10, 805306375, 0, 0);
        -- reload; then a row whose time was never written
        INSERT INTO visits VALUES (12, 2, 13253431310000000, 0, 8, 0, 0);
        INSERT INTO visits VALUES (13, 3, 0, 0, 0, 0, 0);
        INSERT INTO downloads VALUES (5, 'g-1', 'C:\\Users\\ann\\Downloads\\invoice.pdf.exe',
            'C:\\Users\\ann\\Downloads\\invoice.pdf.exe', 13253431320000000, 100, 100, 1, 3, 0,
            x'00', 13253431321000000, 1, 13253431330000000, 0,
            'https://www.example.com/login', 'https://example.com', 'https://www.example.com/mail',
            '', 'GET', 'application/octet-stream', 'application/x-msdownload');
        INSERT INTO downloads_url_chains VALUES (5, 0, 'https://cdn.example.org/r?id=1');
        INSERT INTO downloads_url_chains VALUES (5, 1, 'https://cdn.example.org/invoice.pdf.exe');
    """)
    conn.commit()
    if not wal:
        conn.close()
    return conn


def test_modern_schema_transitions_and_download(tmp_path):
    path = tmp_path / "History"
    _modern_history(path)
    events, ctx = run(ChromeHistoryParser(), path, tmp_path)
    typed = json.loads(by_id(events, ctx, "visits:10")["extra"])
    assert typed["transition"] == "typed"
    assert typed["transition_qualifiers"] == ["from_address_bar", "chain_start", "chain_end"]
    form = json.loads(by_id(events, ctx, "visits:11")["extra"])
    assert form["transition"] == "form_submit" and form["referrer"] == "https://www.example.com/"
    assert json.loads(by_id(events, ctx, "visits:12")["extra"])["transition"] == "reload"
    download = by_id(events, ctx, "downloads:5")
    assert download["url"] == "https://cdn.example.org/invoice.pdf.exe"
    assert download["timestamp"] == webkit(13253431320000000)
    extra = json.loads(download["extra"])
    assert extra["target_path"] == "C:\\Users\\ann\\Downloads\\invoice.pdf.exe"
    assert extra["danger_type"] == "dangerous_content" and extra["opened"] is True
    assert extra["referrer"] == "https://www.example.com/login"
    assert extra["tab_url"] == "https://www.example.com/mail"
    assert extra["mime"] == "application/octet-stream"
    assert extra["url_chain"] == ["https://cdn.example.org/r?id=1", "https://cdn.example.org/invoice.pdf.exe"]
    # visit 13 has no time: counted, reported, not an event
    assert ctx.unparsed_count == 1 and ctx.unparsed[0].record == "visits:13"
    assert_accounting(events, ctx)


def test_wal_database_reads_and_input_untouched(tmp_path):
    case = tmp_path / "case"
    case.mkdir()
    path = case / "History"
    conn = _modern_history(path, wal=True)  # still open: the rows live only in History-wal
    try:
        before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in case.iterdir()}
        assert "History-wal" in before
        work = tmp_path / "work"
        work.mkdir()
        events, ctx = run(ChromeHistoryParser(), path, work)
        after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in case.iterdir()}
    finally:
        conn.close()
    assert events.filter(pl.col("action") == "page_visit").height == 3
    assert before == after


def test_sniff_needs_the_chrome_tables(tmp_path):
    parser = ChromeHistoryParser()
    assert parser.sniff(Source(HISTORY, "History"), HISTORY.read_bytes()[:100]) > 0.9
    other = tmp_path / "other.db"
    sqlite3.connect(other).executescript("CREATE TABLE urls(id); CREATE TABLE t(x);")
    assert parser.sniff(Source(other, "other.db"), other.read_bytes()[:100]) == 0.0
    text = tmp_path / "History"
    text.write_text("not a database\n")
    assert parser.sniff(Source(text, "History"), text.read_bytes()) == 0.0


@pytest.mark.parametrize("keep, visits", [(0.1, 0), (0.9, 69)])
def test_truncated_database_warns_and_case_goes_on(tmp_path, keep, visits):
    data = HISTORY.read_bytes()
    cut = tmp_path / "History"
    cut.write_bytes(data[: int(len(data) * keep)])
    events, ctx = run(ChromeHistoryParser(), cut, tmp_path)
    assert any("truncated" in w for w in ctx.warnings), ctx.warnings
    # tables whose pages survived are still read (here every visit at 90 %)
    assert events.filter(pl.col("action") == "page_visit").height == visits
    assert_accounting(events, ctx)
    # the next file of the case still parses
    again, ctx2 = run(ChromeHistoryParser(), HISTORY, tmp_path)
    assert again.height == 71 and not ctx2.warnings
