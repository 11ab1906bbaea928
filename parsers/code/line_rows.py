"""Rows that stateful line parsers build one by one (local wall-clock times) -> event frames."""

from __future__ import annotations

import polars as pl

from parsers import timestamps as ts
from parsers.base import ParseContext, provenance
from parsers.schema import conform

LINE_ROW_SCHEMA = {
    "source_line": pl.Int64, "_naive": ts.NAIVE, "raw": pl.String, "message": pl.String,
    "action": pl.String, "outcome": pl.String, "severity": pl.String, "extra": pl.String,
}


def local_line_frame(rows: list[dict], ctx: ParseContext, source_format: str, category: str,
                     process: str) -> pl.DataFrame:
    """Rows with a naive local `_naive` time, read in the case zone (an assumption the caller
    records), as a frame of the event schema."""
    frame = pl.DataFrame(rows, schema=LINE_ROW_SCHEMA)
    return conform(frame.with_columns(
        ts.localize(pl.col("_naive"), ctx.tz).alias("timestamp"),
        pl.lit("tz_assumed").alias("timestamp_quality"),
        *provenance(ctx, source_format),
        pl.lit(category).alias("category"),
        pl.lit(process).alias("process"),
    ))
