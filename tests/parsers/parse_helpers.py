"""Test helpers: run one parser on one file, pick events by id, line or record, check the accounting."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from parsers.base import ParseContext, Source, parse_all
from parsers.schema import empty_events, validate

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")
SAMPLES = Path(__file__).resolve().parents[2] / "sample_logs"
REFERENCE = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def run(parser, path: Path, workdir: Path | None = None, tz: str = "UTC", name: str | None = None,
        reference: datetime | None = REFERENCE, sha256: str | None = None,
        compression: str | None = None) -> tuple[pl.DataFrame, ParseContext]:
    """Events of one file, schema-checked. sha256 fixes the event ids' prefix where a test spells
    ids out; by default it is the file's own."""
    source = Source(path, name or path.name, compression)
    ctx = ParseContext(source.name, sha256 or hashlib.sha256(path.read_bytes()).hexdigest(), tz=tz,
                       reference_time=reference)
    if workdir is not None:
        ctx.workdir = workdir
    frames = parse_all(parser, source, ctx)
    events = pl.concat(frames) if frames else empty_events()
    validate(events)
    return events, ctx


def _one(events: pl.DataFrame, expr: pl.Expr, what: str) -> dict:
    rows = events.filter(expr).to_dicts()
    assert len(rows) == 1, f"{what}: {len(rows)} events"
    return rows[0]


def by_id(events: pl.DataFrame, ctx: ParseContext, record: str) -> dict:
    return _one(events, pl.col("event_id") == f"{ctx.id_prefix}:{record}", record)


def line(events: pl.DataFrame, number: int) -> dict:
    """The one event of a text file's line."""
    return _one(events, pl.col("source_line") == number, f"line {number}")


def record(events: pl.DataFrame, number: int | str) -> dict:
    """The one event of a binary file's record (EVTX EventRecordID, EVT record number)."""
    return _one(events, pl.col("source_record") == str(number), f"record {number}")


def assert_accounting(events: pl.DataFrame, ctx: ParseContext) -> None:
    assert events["event_id"].n_unique() == events.height
    assert events.height + ctx.unparsed_count == ctx.units


def assert_line_accounting(events: pl.DataFrame, ctx: ParseContext) -> None:
    """For formats where one line gives several metric events: units are lines, so count
    the distinct lines that gave events."""
    assert events["event_id"].n_unique() == events.height
    assert events["source_line"].n_unique() + ctx.unparsed_count == ctx.units


def query_one(database: Path, sql: str) -> tuple:
    """One row of a query on a corpus database, opened immutable so the evidence is never touched."""
    conn = sqlite3.connect(f"{database.as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return conn.execute(sql).fetchone()
    finally:
        conn.close()


def write_sqlite(path: Path, script: str) -> Path:
    """A small database built from SQL, for the schema versions the corpus lacks."""
    conn = sqlite3.connect(path)
    try:
        conn.executescript(script)
        conn.commit()
    finally:
        conn.close()
    return path
