"""Test helpers for the text and JSON-lines formats: load a format, parse a file or text with an
explicit zone and reference time, check the schema and the accounting."""

from __future__ import annotations

import importlib
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from parsers.base import ParseContext
from parsers.engine import SpecParser
from parsers.spec import formats_dir, load_spec
from tests.parsers.parse_helpers import assert_accounting, run

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
    events, ctx = run(parser, path, workdir, tz=tz, reference=reference)
    assert_accounting(events, ctx)
    return events, ctx


def parse_text(parser, tmp_path: Path, text: str, name: str = "input.log", **kwargs):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return parse(parser, path, workdir=tmp_path, **kwargs)


def line_count(path: Path) -> int:
    data = path.read_bytes()
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
