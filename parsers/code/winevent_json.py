"""EVTX records as the Rust evtx crate's compact JSON -> normalized Windows event rows, in bulk."""

from __future__ import annotations

import polars as pl

from parsers.code.winevent_map import WINEVENT_SCHEMA

_STRING = r'"(?:[^"\\]|\\.)*"'
# System comes first in every record, so the first match of each pattern is the System field;
# the patterns also accept null so that a null System field does not fall through to EventData.
_SYSTEM = {
    "event_code": r'"EventID":(?:\{(?:"#attributes":\{[^{}]*\},)?"#text":)?"?(\d+)',
    "level": r'"Level":(?:"?(\d+)"?|null)',
    "time": r'"TimeCreated":\{"#attributes":\{"SystemTime":"([^"]+)"',
    "keywords": r'"Keywords":("0x[0-9a-fA-F]+"|null)',
    "record_id": r'"EventRecordID":"?(\d+)',
    "sys_pid": r'"Execution":\{"#attributes":\{"ProcessID":"?(\d+)',
    "user_sid": r'"Security":\{"#attributes":\{"UserID":"([^"]*)"',
}
_STRINGS = {
    "channel": r'"Channel":(' + _STRING + r"|null)",
    "computer": r'"Computer":(' + _STRING + r"|null)",
    "provider": r'"Provider":\{"#attributes":\{"Name":(' + _STRING + r")",
}


def _unquote(token: pl.Expr) -> pl.Expr:
    escaped = token.str.contains("\\", literal=True)
    plain = token.str.slice(1, token.str.len_chars() - 2)
    decoded = pl.when(escaped).then(token).str.json_decode(pl.String)
    return pl.when(token == "null").then(None).when(escaped).then(decoded).otherwise(plain)


def parse_system_time(strings: pl.Expr) -> pl.Expr:
    """ISO 8601 SystemTime (Z, 0-9 fraction digits) -> UTC datetime; bad values -> null."""
    return (strings.str.strip_suffix("Z").str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit="ns", strict=False)
            .dt.replace_time_zone("UTC").dt.cast_time_unit("us"))


def _data(raw: pl.Expr) -> pl.Expr:
    """EventData or UserData object: the rest of the record after System, less the closing braces.

    Found with a literal search and cut as bytes (a regex capture over ~1 KB is 5x slower); the
    cut points are ASCII, so the bytes stay valid UTF-8. Any later RenderingInfo is dropped."""
    start = pl.coalesce(raw.str.find(',"EventData":', literal=True) + 13,
                        raw.str.find(',"UserData":', literal=True) + 12)
    rest = raw.cast(pl.Binary).bin.slice(start, raw.str.len_bytes() - start - 2).cast(pl.String)
    return pl.when(rest.str.contains(',"RenderingInfo":', literal=True)).then(
        rest.str.replace(r'(?s),"RenderingInfo":.*$', "")).otherwise(rest)


def frame_from_json(records: list[int], jsons: list[str], header_times: list[str], first_order: int) -> pl.DataFrame:
    """One frame of normalized rows; the record header time stands in when TimeCreated is absent."""
    raw = pl.DataFrame([pl.Series("record", records, dtype=pl.Int64), pl.Series("raw", jsons, dtype=pl.String),
                        pl.Series("header_time", header_times, dtype=pl.String)])
    tokens = raw.with_columns(
        *[pl.col("raw").str.extract(p, 1).alias(k) for k, p in {**_SYSTEM, **_STRINGS}.items()],
        _data(pl.col("raw")).alias("data"),
    )
    header_time = parse_system_time(pl.col("header_time").str.strip_suffix(" UTC"))
    header_time = pl.when(header_time.dt.year() > 1601).then(header_time)
    return tokens.select(
        (pl.int_range(pl.len(), dtype=pl.Int64) + first_order).alias("_order"),
        pl.col("record"),
        pl.col("record_id").str.to_integer(strict=False),
        pl.lit(None, dtype=pl.String).alias("event_key"),
        pl.coalesce(parse_system_time(pl.col("time")), header_time).alias("timestamp"),
        pl.lit("exact").alias("quality"),
        *[_unquote(pl.col(k)).alias(k) for k in _STRINGS],
        pl.col("event_code"),
        pl.col("level").str.to_integer(strict=False),
        _unquote(pl.col("keywords")).alias("keywords"),
        pl.col("user_sid"),
        pl.col("sys_pid").str.to_integer(strict=False),
        pl.col("data"), pl.col("raw"),
        pl.lit(None, dtype=pl.String).alias("text"),
    ).select(list(WINEVENT_SCHEMA)).cast(WINEVENT_SCHEMA)
