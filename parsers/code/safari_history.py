"""Safari `History.db` SQLite -> page_visit events (history_visits joined to history_items)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import polars as pl

from parsers.base import ParseContext, Source
from parsers.code import browser_rows as br
from parsers.code.sqlite_source import columns_of, fetch, open_copy, pick, readable, sniff_tables

VISIT_COLUMNS = ("id", "visit_time", "title", "load_successful", "http_non_get", "synthesized",
                 "redirect_source", "redirect_destination", "origin", "attributes")
ITEM_COLUMNS = ("url", "domain_expansion", "visit_count")


class SafariHistoryParser:
    name = "safari_history"

    def sniff(self, source: Source, head: bytes) -> float:
        return sniff_tables(source, head, ("history_items", "history_visits"))

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        with closing(open_copy(source, ctx)) as conn:
            visit_cols = pick(columns_of(conn, "history_visits"), "v", VISIT_COLUMNS)
            item_cols = pick(columns_of(conn, "history_items"), "i", ITEM_COLUMNS)
            if not readable(ctx, "history_visits", visit_cols):
                return
            # The visit this one was redirected from is the closest thing Safari has to a referrer.
            sql = (f"SELECT {', '.join(visit_cols + item_cols)}, ri.url AS referrer "
                   "FROM history_visits v LEFT JOIN history_items i ON i.id = v.history_item "
                   "LEFT JOIN history_visits rv ON rv.id = v.redirect_source "
                   "LEFT JOIN history_items ri ON ri.id = rv.history_item ORDER BY v.id")
            names, rows = fetch(conn, sql, "history_visits", ctx)
        frame = br.ensure_columns(br.rows_frame(names or ["id", "visit_time", "url"], rows),
                                  VISIT_COLUMNS + ITEM_COLUMNS + ("referrer",))
        loaded = pl.col("load_successful").cast(pl.Int64, strict=False)
        frame = frame.with_columns(
            pl.col("id").alias("_rowid"),
            br.cocoa_time(pl.col("visit_time")).alias("timestamp"),
            pl.lit("page_visit").alias("action"),
            pl.when(loaded == 0).then(pl.lit("failure")).when(loaded == 1).then(pl.lit("success"))
            .otherwise(pl.lit("unknown")).alias("outcome"),
            (pl.lit("visit ") + pl.col("url").cast(pl.String).fill_null("?")).alias("message"),
        )
        extra = {
            "title": pl.col("title"), "visit_id": pl.col("id"), "referrer": pl.col("referrer"),
            "load_successful": loaded.cast(pl.Boolean), "http_non_get": pl.col("http_non_get"),
            "synthesized": pl.col("synthesized"), "redirect_source": pl.col("redirect_source"),
            "redirect_destination": pl.col("redirect_destination"), "origin": pl.col("origin"),
            "visit_time_raw": pl.col("visit_time"),
        }
        yield br.to_events(frame, ctx, self.name, "history_visits", names, extra)
