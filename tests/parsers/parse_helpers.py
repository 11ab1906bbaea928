"""Test helpers: run one parser on one file with an explicit context, and check the accounting."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from parsers.base import ParseContext, Source
from parsers.schema import empty_events, validate

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")
SAMPLES = Path(__file__).resolve().parents[2] / "sample_logs"
REFERENCE = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def run(parser, path: Path, workdir: Path, tz: str = "UTC", name: str | None = None,
        reference: datetime = REFERENCE) -> tuple[pl.DataFrame, ParseContext]:
    source = Source(path, name or path.name)
    ctx = ParseContext(source.name, hashlib.sha256(path.read_bytes()).hexdigest(), tz=tz,
                       reference_time=reference, workdir=workdir)
    frames = list(parser.parse(source, ctx))
    events = pl.concat(frames) if frames else empty_events()
    validate(events)
    return events, ctx


def by_id(events: pl.DataFrame, ctx: ParseContext, record: str) -> dict:
    rows = events.filter(pl.col("event_id") == f"{ctx.id_prefix}:{record}").to_dicts()
    assert len(rows) == 1, f"{record}: {len(rows)} events"
    return rows[0]


def assert_accounting(events: pl.DataFrame, ctx: ParseContext) -> None:
    assert events["event_id"].n_unique() == events.height
    assert events.height + ctx.unparsed_count == ctx.units


def assert_line_accounting(events: pl.DataFrame, ctx: ParseContext) -> None:
    """For formats where one line gives several metric events: units are lines, so count
    the distinct lines that gave events."""
    assert events["event_id"].n_unique() == events.height
    assert events["source_line"].n_unique() + ctx.unparsed_count == ctx.units
