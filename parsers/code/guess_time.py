"""Timestamps of unknown shape for the generic JSON-lines and CSV readers: ISO 8601 (with or
without an offset), epoch seconds/ms/us/ns, and a few unambiguous textual layouts."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import polars as pl

from parsers import timestamps as ts
from parsers.base import ParseContext, provenance
from parsers.schema import conform, empty_events

_EPOCH = re.compile(r"^\d{9,19}(?:\.\d+)?$")
# Layouts that are not ISO 8601 but cannot be misread (no day/month order question).
_LAYOUTS = ("%a %b %d %H:%M:%S %Y", "%d/%b/%Y:%H:%M:%S %z", "%Y/%m/%d %H:%M:%S", "%b %d %Y %H:%M:%S")
_EPOCH_ZERO = datetime(1970, 1, 1, tzinfo=timezone.utc)
# Epoch magnitudes: below 1e11 seconds (until year 5138), then ms, us, ns.
_UNITS = ((1e11, 1_000_000), (1e14, 1_000), (1e17, 1), (float("inf"), 0.001))

TIME_KEYS = ("timestamp", "@timestamp", "time", "ts", "date", "datetime", "eventtime",
             "asctime", "t")


def epoch_micros(number: float) -> int:
    magnitude = abs(number)
    for limit, factor in _UNITS:
        if magnitude < limit:
            return round(number * factor)
    raise AssertionError("unreachable")


def parse_time(value: object) -> datetime | None:
    """A datetime: aware (UTC) when the value carries its zone or is an epoch, naive when it
    is a wall-clock time without a zone; None when it is not a time."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if _EPOCH.match(text):
            number = float(text)
        else:
            return _parse_text(text)
    else:
        return None
    if number < 1e8:  # too small to be a plausible epoch (before 1973)
        return None
    try:
        return _EPOCH_ZERO + timedelta(microseconds=epoch_micros(number))
    except OverflowError:
        return None


def _parse_text(text: str) -> datetime | None:
    if len(text) < 8 or not text[:1].isalnum():
        return None
    iso = re.sub(r"(\d{2}:\d{2}:\d{2}),(\d+)", r"\1.\2", text)
    iso = re.sub(r"\s?(?:UTC|GMT)$", "+00:00", iso)
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
        for layout in _LAYOUTS:
            try:
                parsed = datetime.strptime(" ".join(text.split()), layout)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    return parsed.astimezone(timezone.utc) if parsed.tzinfo else parsed


def parses_mostly(values: list[object], share: float = 0.8) -> bool:
    present = [v for v in values if v not in (None, "")]
    return bool(present) and sum(parse_time(v) is not None for v in present) >= share * len(present)


def to_utc_column(parsed: list[datetime | None], tz: str) -> tuple[pl.Series, pl.Series]:
    """Parsed times as a UTC column (naive ones read in zone tz) and their quality."""
    aware = [p if p is not None and p.tzinfo else None for p in parsed]
    naive = [p if p is not None and p.tzinfo is None else None for p in parsed]
    frame = pl.DataFrame({"aware": pl.Series(aware, dtype=ts.UTC),
                          "naive": pl.Series(naive, dtype=ts.NAIVE)})
    frame = frame.select(
        pl.coalesce(pl.col("aware"), ts.localize(pl.col("naive"), tz)).alias("timestamp"),
        pl.when(pl.col("aware").is_not_null()).then(pl.lit("exact"))
        .otherwise(pl.lit("tz_assumed")).alias("timestamp_quality"),
    )
    return frame["timestamp"], frame["timestamp_quality"]


_SEVERITY_WORDS = {
    "trace": "debug", "debug": "debug", "dbg": "debug", "verbose": "debug",
    "info": "info", "information": "info", "informational": "info",
    "notice": "notice",
    "warn": "warning", "warning": "warning",
    "error": "error", "err": "error", "severe": "error",
    "critical": "critical", "crit": "critical", "fatal": "critical", "alert": "critical",
    "emerg": "critical", "emergency": "critical", "panic": "critical",
}
# bunyan/pino numeric levels (10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal), the
# JSON-lines writers that log numbers; Python logging (20 = info) writes level names instead.
_SEVERITY_NUMBERS = {10: "debug", 20: "debug", 30: "info", 40: "warning", 50: "error", 60: "critical"}


def severity_of(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return _SEVERITY_NUMBERS.get(int(value))
    return _SEVERITY_WORDS.get(str(value).strip().lower())


def generic_frame(rows: list[dict], times: list[datetime | None], ctx: ParseContext,
                  source_format: str) -> pl.DataFrame:
    """Rows of a generic reader (string fields, source_line) with their guessed times, as
    plain log_line events; a zone assumption, where one was made, is recorded."""
    if not rows:
        return empty_events()
    frame = pl.DataFrame(rows, schema={c: pl.String for c in rows[0]} | {"source_line": pl.Int64})
    timestamp, quality = to_utc_column(times, ctx.tz)
    if (quality == "tz_assumed").any():
        ctx.assume(f"{ctx.source_file}: times without a zone, read as {ctx.tz}")
    pid = [pl.col("pid").cast(pl.Int64, strict=False)] if "pid" in frame.columns else []
    return conform(frame.with_columns(
        timestamp, quality, *pid,
        pl.lit("log_line").alias("action"),
        pl.lit("unknown").alias("outcome"),
        pl.lit("other").alias("category"),
        *provenance(ctx, source_format, "source_line"),
    ))
