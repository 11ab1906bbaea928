"""Test helper: a Loghub *_structured.csv (the peer's parse of a corpus log) joined to our events by line."""

from __future__ import annotations

from pathlib import Path

import polars as pl


def peer(log: Path) -> pl.DataFrame:
    """The peer's columns as strings, with LineId as source_line."""
    frame = pl.read_csv(Path(f"{log}_structured.csv"), infer_schema_length=0)
    return frame.with_columns(pl.col("LineId").cast(pl.Int64).alias("source_line"))


def joined(events: pl.DataFrame, log: Path) -> pl.DataFrame:
    """Every peer row next to our event of the same line (full join: a missing side shows)."""
    return events.join(peer(log), on="source_line", how="full", coalesce=False)


def disagreements(frame: pl.DataFrame, ours: pl.Expr, theirs: pl.Expr) -> list[int]:
    """Line numbers where the two expressions differ (null on one side counts)."""
    differ = ours.fill_null("<null>") != theirs.fill_null("<null>")
    return frame.filter(differ)["LineId"].cast(pl.Int64).to_list()


def clock(events_ts: pl.Expr) -> pl.Expr:
    """Month, day and time of day as the peer's columns write them: "Jun|14|15:16:01"."""
    return events_ts.dt.strftime("%b|%-d|%H:%M:%S")
