"""The event schema every parser emits: one polars schema, its vocabularies and its validator."""

from __future__ import annotations

import polars as pl

UTC_DATETIME = pl.Datetime("us", "UTC")

EVENT_SCHEMA: dict[str, pl.DataType] = {
    "event_id": pl.String(),
    "timestamp": UTC_DATETIME,
    "timestamp_quality": pl.String(),
    "source_format": pl.String(),
    "source_file": pl.String(),
    "source_line": pl.Int64(),
    "source_record": pl.String(),
    "host": pl.String(),
    "category": pl.String(),
    "action": pl.String(),
    "outcome": pl.String(),
    "severity": pl.String(),
    "event_code": pl.String(),
    "process": pl.String(),
    "pid": pl.Int64(),
    "user": pl.String(),
    "src_ip": pl.String(),
    "url": pl.String(),
    "metric_name": pl.String(),
    "metric_value": pl.Float64(),
    "message": pl.String(),
    "raw": pl.String(),
    "extra": pl.String(),
}
COLUMNS: tuple[str, ...] = tuple(EVENT_SCHEMA)

CATEGORIES = frozenset(
    {"auth", "process", "service", "system", "network", "web", "browser", "malware",
     "performance", "package", "other"}
)
OUTCOMES = frozenset({"success", "failure", "unknown"})
SEVERITIES: tuple[str, ...] = ("debug", "info", "notice", "warning", "error", "critical")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
TIMESTAMP_QUALITIES = frozenset(
    {"exact", "year_inferred", "tz_assumed", "year_inferred+tz_assumed"}
)
# Actions are snake_case verbs (DESIGN.md names the ones checks rely on: login_failed,
# process_start, page_visit, download, threat_detected, av_scan, boot, crash, ...).
# Columns with few distinct values in a timeline: the only ones worth a Parquet dictionary
# (trying one on the line, message or event id costs time and saves nothing).
DICTIONARY_COLUMNS: tuple[str, ...] = (
    "timestamp_quality", "source_format", "source_file", "host", "category", "action", "outcome",
    "severity", "event_code", "process", "user", "src_ip", "metric_name",
)
ACTION_SHAPE = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"


class SchemaError(ValueError):
    """A parser produced a frame that does not fit the event schema."""


def empty_events() -> pl.DataFrame:
    """A frame with the event schema and no rows."""
    return pl.DataFrame(schema=EVENT_SCHEMA)


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Add missing columns as nulls, cast to the schema's dtypes, order the columns.

    Timestamps must already be time-zone aware; a naive timestamp is a parser bug, not
    something to guess about here.
    """
    ts = frame.schema.get("timestamp")
    if isinstance(ts, pl.Datetime) and ts.time_zone is None:
        raise SchemaError("timestamp column is naive; parsers must convert to UTC")
    exprs = []
    for name, dtype in EVENT_SCHEMA.items():
        if name in frame.columns:
            col = pl.col(name)
            if name == "timestamp":
                col = col.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
            exprs.append(col.cast(dtype).alias(name))
        else:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
    return frame.select(exprs)


def validate(frame: pl.DataFrame) -> pl.DataFrame:
    """Check a frame against the schema and vocabularies; return it unchanged or raise."""
    if list(frame.columns) != list(COLUMNS):
        raise SchemaError(f"columns differ from the event schema: {frame.columns}")
    for name, dtype in EVENT_SCHEMA.items():
        if frame.schema[name] != dtype:
            raise SchemaError(f"column {name} is {frame.schema[name]}, expected {dtype}")
    for name in ("event_id", "timestamp", "source_format", "source_file", "category", "action", "outcome",
                 "timestamp_quality", "raw"):
        nulls = frame[name].null_count()
        if nulls:
            raise SchemaError(f"column {name} has {nulls} null value(s)")
    _check_vocab(frame, "category", CATEGORIES)
    _check_vocab(frame, "outcome", OUTCOMES)
    _check_vocab(frame, "severity", frozenset(SEVERITIES))
    _check_vocab(frame, "timestamp_quality", TIMESTAMP_QUALITIES)
    actions = frame["action"].unique()
    odd = actions.filter(~actions.str.contains(ACTION_SHAPE)).to_list()
    if odd:
        raise SchemaError(f"column action has values that are not snake_case verbs: {sorted(odd)}")
    return frame


def _check_vocab(frame: pl.DataFrame, column: str, allowed: frozenset[str]) -> None:
    values = set(frame[column].drop_nulls().unique().to_list())
    unknown = values - allowed
    if unknown:
        raise SchemaError(f"column {column} has values outside its vocabulary: {sorted(unknown)}")
