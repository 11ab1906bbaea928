"""Firefox `downloads.sqlite` (before Firefox 26) -> download events from moz_downloads."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from parsers.base import ParseContext, Source
from parsers.code import browser_rows as br
from parsers.code.firefox_history import DOWNLOAD_STATES, file_uri_path, state_outcome
from parsers.code.sqlite_source import columns_of, fetch, open_copy, readable, sniff_tables

COLUMNS = ("id", "name", "source", "target", "tempPath", "startTime", "endTime", "state",
           "referrer", "currBytes", "maxBytes", "mimeType", "preferredApplication")


class FirefoxDownloadsParser:
    name = "firefox_downloads"

    def sniff(self, source: Source, head: bytes) -> float:
        return sniff_tables(source, head, ("moz_downloads",))

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        conn = open_copy(source, ctx)
        try:
            present = columns_of(conn, "moz_downloads")
            wanted = [c for c in COLUMNS if c.lower() in present]
            if not readable(ctx, "moz_downloads", wanted):
                return
            sql = f"SELECT {', '.join(wanted) or 'id'} FROM moz_downloads ORDER BY id"
            names, rows = fetch(conn, sql, "moz_downloads", ctx)
        finally:
            conn.close()
        frame = br.ensure_columns(br.rows_frame(names or ["id", "startTime"], rows), COLUMNS)
        state = pl.col("state").cast(pl.Int64, strict=False).replace_strict(
            DOWNLOAD_STATES, default=None, return_dtype=pl.String)
        frame = frame.with_columns(
            pl.col("id").alias("_rowid"),
            br.prtime(pl.col("startTime")).alias("timestamp"),
            pl.col("source").cast(pl.String).alias("url"),
            file_uri_path(pl.col("target").cast(pl.String)).alias("_target"),
            state.alias("_state"),
        ).with_columns(
            pl.lit("download").alias("action"),
            state_outcome(pl.col("_state"), "finished").alias("outcome"),
            (pl.lit("download ") + pl.col("url").fill_null("?") + pl.lit(" -> ")
             + pl.col("_target").fill_null("?")).alias("message"),
        )
        extra = {
            "target_path": pl.col("_target"), "file_name": pl.col("name"), "state": pl.col("_state"),
            "referrer": pl.col("referrer"), "mime": pl.col("mimeType"),
            "received_bytes": pl.col("currBytes"), "total_bytes": pl.col("maxBytes"),
            "end_time": br.iso(br.prtime(pl.col("endTime"))), "temp_path": pl.col("tempPath"),
            "preferred_application": pl.col("preferredApplication"),
        }
        yield br.to_events(frame, ctx, self.name, "moz_downloads", names, extra)
