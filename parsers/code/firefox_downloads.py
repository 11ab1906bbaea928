"""Firefox `downloads.sqlite` (before Firefox 26) -> download events from moz_downloads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import polars as pl

from parsers.base import ParseContext, Source
from parsers.code import browser_rows as br
from parsers.code.firefox_history import DOWNLOAD_STATES, FAILED_STATES, file_uri_path
from parsers.code.sqlite_source import columns_of, fetch, open_copy, readable, sniff_tables

COLUMNS = ("id", "name", "source", "target", "tempPath", "startTime", "endTime", "state",
           "referrer", "currBytes", "maxBytes", "mimeType", "preferredApplication")


class FirefoxDownloadsParser:
    name = "firefox_downloads"

    def sniff(self, source: Source, head: bytes) -> float:
        return sniff_tables(source, head, ("moz_downloads",))

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        with closing(open_copy(source, ctx)) as conn:
            present = columns_of(conn, "moz_downloads")
            wanted = [c for c in COLUMNS if c.lower() in present]
            if not readable(ctx, "moz_downloads", wanted):
                return
            sql = f"SELECT {', '.join(wanted) or 'id'} FROM moz_downloads ORDER BY id"
            names, rows = fetch(conn, sql, "moz_downloads", ctx)
        frame = br.ensure_columns(br.rows_frame(names or ["id", "startTime"], rows), COLUMNS)
        frame = br.download_columns(frame, br.prtime(pl.col("startTime")),
                                    file_uri_path(pl.col("target").cast(pl.String)),
                                    br.code_name(pl.col("state"), DOWNLOAD_STATES), "finished", FAILED_STATES,
                                    url=pl.col("source").cast(pl.String))
        extra = {
            "target_path": pl.col("_target"), "file_name": pl.col("name"), "state": pl.col("_state"),
            "referrer": pl.col("referrer"), "mime": pl.col("mimeType"),
            "received_bytes": pl.col("currBytes"), "total_bytes": pl.col("maxBytes"),
            "end_time": br.iso(br.prtime(pl.col("endTime"))), "temp_path": pl.col("tempPath"),
            "preferred_application": pl.col("preferredApplication"),
        }
        yield br.to_events(frame, ctx, self.name, "moz_downloads", names, extra)
