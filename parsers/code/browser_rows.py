"""Browser database rows -> events: the browser epochs, code names, and the visit and download event columns."""

from __future__ import annotations

import polars as pl

from parsers.base import ParseContext, provenance
from parsers.schema import conform

# Microseconds between 1601-01-01 (WebKit/Chrome, also FILETIME's origin) and 1970-01-01.
WEBKIT_TO_UNIX_US = 11_644_473_600_000_000
# Seconds between 1970-01-01 and 2001-01-01 (Cocoa / Mac absolute time origin).
COCOA_TO_UNIX_S = 978_307_200


def _utc_from_unix_us(micros: pl.Expr) -> pl.Expr:
    return pl.from_epoch(micros.cast(pl.Int64), time_unit="us").dt.replace_time_zone("UTC")


def webkit_time(column: pl.Expr) -> pl.Expr:
    """Chrome/WebKit time (microseconds since 1601-01-01 UTC); 0 means "never" in Chrome."""
    value = column.cast(pl.Int64, strict=False)
    return pl.when(value > 0).then(_utc_from_unix_us(value - WEBKIT_TO_UNIX_US))


def prtime(column: pl.Expr) -> pl.Expr:
    """Mozilla PRTime (microseconds since 1970-01-01 UTC)."""
    value = column.cast(pl.Int64, strict=False)
    return pl.when(value > 0).then(_utc_from_unix_us(value))


def cocoa_time(column: pl.Expr) -> pl.Expr:
    """Cocoa / Mac absolute time (float seconds since 2001-01-01 UTC), kept to the microsecond."""
    value = column.cast(pl.Float64, strict=False)
    micros = (value * 1_000_000).round(0).cast(pl.Int64) + COCOA_TO_UNIX_S * 1_000_000
    return pl.when(value > 0).then(_utc_from_unix_us(micros))


def posix_seconds(column: pl.Expr) -> pl.Expr:
    value = column.cast(pl.Int64, strict=False)
    return pl.when(value > 0).then(_utc_from_unix_us(value * 1_000_000))


def iso(column: pl.Expr) -> pl.Expr:
    """A UTC time as ISO 8601 text for `extra` (JSON has no datetime)."""
    return column.dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ")


def code_name(code: pl.Expr, names: dict[int, str]) -> pl.Expr:
    """A browser's numeric code (transition, state, danger type) as its name; null when unknown."""
    return code.cast(pl.Int64, strict=False).replace_strict(names, default=None, return_dtype=pl.String)


def state_outcome(state: pl.Expr, success: str, failures: tuple[str, ...]) -> pl.Expr:
    """A download's outcome from its state name: the browser's own word for done, or for failed."""
    return (pl.when(state == success).then(pl.lit("success"))
            .when(state.is_in(list(failures))).then(pl.lit("failure"))
            .otherwise(pl.lit("unknown")))


def visit_columns(frame: pl.DataFrame, timestamp: pl.Expr, transition: pl.Expr) -> pl.DataFrame:
    """Visit rows (an `id` and a `url` column) with `_rowid`, `timestamp`, `_transition` (how the
    visit came about, by name) and the page_visit event columns, ready for to_events."""
    return frame.with_columns(
        pl.col("id").alias("_rowid"),
        timestamp.alias("timestamp"),
        transition.alias("_transition"),
    ).with_columns(
        pl.lit("page_visit").alias("action"),
        pl.lit("success").alias("outcome"),
        (pl.lit("visit ") + pl.col("url").fill_null("?")
         + pl.lit(" (") + pl.col("_transition").fill_null("?") + pl.lit(")")).alias("message"),
    )


def download_columns(frame: pl.DataFrame, timestamp: pl.Expr, target: pl.Expr, state: pl.Expr, success: str,
                     failures: tuple[str, ...], url: pl.Expr | None = None) -> pl.DataFrame:
    """Download rows (an `id` and a `url` column, or `url` given) with `_rowid`, `timestamp`,
    `_target` (the saved file), `_state` (by name) and the download event columns, ready for
    to_events; the outcome follows the state (see state_outcome)."""
    named = [pl.col("id").alias("_rowid"), timestamp.alias("timestamp"), target.alias("_target"),
             state.alias("_state")]
    if url is not None:
        named.append(url.alias("url"))
    return frame.with_columns(*named).with_columns(
        pl.lit("download").alias("action"),
        state_outcome(pl.col("_state"), success, failures).alias("outcome"),
        (pl.lit("download ") + pl.col("url").fill_null("?") + pl.lit(" -> ")
         + pl.col("_target").fill_null("?")).alias("message"),
    )


def rows_frame(names: list[str], rows: list[tuple]) -> pl.DataFrame:
    """Query rows as a frame; SQLite lets a column hold mixed types, so cells that do not
    fit the column's first type become text rather than failing the file."""
    if not rows:
        return pl.DataFrame({name: pl.Series(name, [], dtype=pl.String) for name in names})
    try:
        return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
    except (TypeError, pl.exceptions.PolarsError):
        text = [[None if v is None else str(v) for v in row] for row in rows]
        return pl.DataFrame(text, schema={n: pl.String for n in names}, orient="row")


def ensure_columns(frame: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    """Null columns for fields an older schema lacks, so one set of expressions fits all versions."""
    return frame.with_columns([pl.lit(None).alias(c) for c in columns if c not in frame.columns])


def to_events(frame: pl.DataFrame, ctx: ParseContext, fmt: str, table: str,
              raw_columns: list[str], extra: dict[str, pl.Expr]) -> pl.DataFrame:
    """Rows of one table with `_rowid`, `timestamp` and event columns -> conformed events.

    Every row counts as a unit; a row without a usable time becomes an unparsed record."""
    ctx.units += frame.height
    frame = frame.with_columns(
        (pl.lit(f"{table}:") + pl.col("_rowid").cast(pl.String)).alias("source_record"),
        (pl.struct([pl.col(c) for c in raw_columns]).struct.json_encode() if raw_columns
         else pl.lit("{}")).alias("raw"),
    )
    missing = frame.filter(pl.col("timestamp").is_null())
    for record, raw in missing.select("source_record", "raw").iter_rows():
        ctx.add_unparsed(None, "no usable timestamp", raw, record=record)
    frame = frame.filter(pl.col("timestamp").is_not_null())
    extra_json = (pl.struct([expr.alias(name) for name, expr in extra.items()]).struct.json_encode()
                  if extra else pl.lit(None, dtype=pl.String))
    frame = frame.with_columns(
        extra_json.alias("extra"),
        *provenance(ctx, fmt, "source_record"),
        pl.lit("exact").alias("timestamp_quality"),
        pl.lit("browser").alias("category"),
    )
    return conform(frame)
