"""Test helpers for the text and JSON-lines formats: load a format, parse a file or text with an
explicit zone and reference time, check the schema and the accounting."""

from __future__ import annotations

import hashlib
import importlib
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from parsers.base import ParseContext, Source, parse_all
from parsers.engine import SpecParser
from parsers.schema import empty_events, validate
from parsers.spec import formats_dir, load_spec

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")
SAMPLES = Path(__file__).resolve().parents[2] / "sample_logs"
REFERENCE = datetime(2026, 12, 31, 12, 0, tzinfo=timezone.utc)
CODE = {"apt_history": "apt_history:AptHistoryParser",
        "jsonl_generic": "jsonl_generic:JsonlGenericParser",
        "csv_generic": "csv_generic:CsvGenericParser"}


def parser_for(name: str):
    spec = load_spec(formats_dir() / f"{name}.toml")
    if name not in CODE:
        return SpecParser(spec)
    module, _, cls = CODE[name].partition(":")
    parser = getattr(importlib.import_module(f"parsers.code.{module}"), cls)()
    parser.spec = spec
    return parser


def parse(parser, path: Path, tz: str = "UTC", reference: datetime = REFERENCE,
          workdir: Path | None = None) -> tuple[pl.DataFrame, ParseContext]:
    source = Source(path, path.name)
    ctx = ParseContext(path.name, hashlib.sha256(path.read_bytes()).hexdigest(), tz=tz,
                       reference_time=reference)
    if workdir is not None:
        ctx.workdir = workdir
    frames = parse_all(parser, source, ctx)
    events = pl.concat(frames) if frames else empty_events()
    validate(events)
    assert events["event_id"].n_unique() == events.height
    assert events.height + ctx.unparsed_count == ctx.units
    return events, ctx


def parse_text(parser, tmp_path: Path, text: str, name: str = "input.log", **kwargs):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return parse(parser, path, workdir=tmp_path, **kwargs)


def line(events: pl.DataFrame, number: int) -> dict:
    rows = events.filter(pl.col("source_line") == number).to_dicts()
    assert len(rows) == 1, f"line {number}: {len(rows)} events"
    return rows[0]


def line_count(path: Path) -> int:
    data = path.read_bytes()
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
