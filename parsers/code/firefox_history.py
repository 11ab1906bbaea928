"""Firefox `places.sqlite` -> page_visit events (moz_historyvisits) and download events (moz_annos)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import polars as pl

from parsers.base import ParseContext, Source
from parsers.code import browser_rows as br
from parsers.schema import empty_events
from parsers.code.sqlite_source import columns_of, fetch, open_copy, pick, readable, sniff_tables

# nsINavHistoryService TRANSITION_* constants.
VISIT_TYPES = {
    1: "link", 2: "typed", 3: "bookmark", 4: "embed", 5: "redirect_permanent",
    6: "redirect_temporary", 7: "download", 8: "framed_link", 9: "reload",
}
# downloads/metaData "state" (nsIDownloadManager DOWNLOAD_* values).
DOWNLOAD_STATES = {
    0: "downloading", 1: "finished", 2: "failed", 3: "canceled", 4: "paused", 5: "queued",
    6: "blocked_parental", 7: "scanning", 8: "dirty", 9: "blocked_policy",
}
FAILED_STATES = ("failed", "canceled", "dirty", "blocked_parental", "blocked_policy")
VISIT_COLUMNS = ("id", "visit_date", "visit_type", "from_visit", "session", "source")
PLACE_COLUMNS = ("url", "title", "visit_count", "typed", "hidden")


def file_uri_path(uri: pl.Expr) -> pl.Expr:
    """file:///C:/x%20y.zip -> C:/x y.zip, file:///home/u/a -> /home/u/a (common escapes only)."""
    path = uri.str.replace(r"^file://", "").str.replace(r"^/([A-Za-z]:)", "$1")
    for escaped, plain in (("%20", " "), ("%23", "#"), ("%25", "%")):
        path = path.str.replace_all(escaped, plain, literal=True)
    return path


class FirefoxHistoryParser:
    name = "firefox_history"

    def sniff(self, source: Source, head: bytes) -> float:
        return sniff_tables(source, head, ("moz_places", "moz_historyvisits"))

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        with closing(open_copy(source, ctx)) as conn:
            yield self._visits(conn, ctx)
            if columns_of(conn, "moz_annos") and columns_of(conn, "moz_anno_attributes"):
                yield self._downloads(conn, ctx)

    def _visits(self, conn, ctx: ParseContext) -> pl.DataFrame:
        visit_cols = pick(columns_of(conn, "moz_historyvisits"), "v", VISIT_COLUMNS)
        place_cols = pick(columns_of(conn, "moz_places"), "p", PLACE_COLUMNS)
        if not readable(ctx, "moz_historyvisits", visit_cols):
            return empty_events()
        sql = (f"SELECT {', '.join(visit_cols + place_cols)}, rp.url AS referrer "
               "FROM moz_historyvisits v LEFT JOIN moz_places p ON p.id = v.place_id "
               "LEFT JOIN moz_historyvisits rv ON rv.id = v.from_visit AND v.from_visit > 0 "
               "LEFT JOIN moz_places rp ON rp.id = rv.place_id ORDER BY v.id")
        names, rows = fetch(conn, sql, "moz_historyvisits", ctx)
        frame = br.ensure_columns(br.rows_frame(names or ["id", "visit_date", "url"], rows),
                                  ("title", "visit_type", "from_visit", "referrer", "typed"))
        frame = br.visit_columns(frame, br.prtime(pl.col("visit_date")),
                                 br.code_name(pl.col("visit_type"), VISIT_TYPES))
        extra = {
            "title": pl.col("title"), "visit_id": pl.col("id"), "transition": pl.col("_transition"),
            "visit_type": pl.col("visit_type"), "from_visit": pl.col("from_visit"),
            "referrer": pl.col("referrer"), "typed": pl.col("typed"),
        }
        return br.to_events(frame, ctx, self.name, "moz_historyvisits", names, extra)

    def _downloads(self, conn, ctx: ParseContext) -> pl.DataFrame:
        # Firefox 26+ keeps downloads as annotations on the downloaded URL's place.
        sql = ("SELECT a.id, a.place_id, a.content AS destination, a.dateAdded, a.lastModified, "
               "p.url, p.title, meta.content AS metadata FROM moz_annos a "
               "JOIN moz_anno_attributes n ON n.id = a.anno_attribute_id "
               "AND n.name = 'downloads/destinationFileURI' "
               "LEFT JOIN moz_places p ON p.id = a.place_id "
               "LEFT JOIN (SELECT m.place_id, m.content FROM moz_annos m JOIN moz_anno_attributes mn "
               "ON mn.id = m.anno_attribute_id AND mn.name = 'downloads/metaData') meta "
               "ON meta.place_id = a.place_id ORDER BY a.id")
        names, rows = fetch(conn, sql, "moz_annos", ctx)
        frame = br.rows_frame(names or ["id", "dateAdded", "url", "destination", "metadata"], rows)
        meta = pl.col("metadata").cast(pl.String)
        state = br.code_name(meta.str.json_path_match("$.state"), DOWNLOAD_STATES)
        end_ms = meta.str.json_path_match("$.endTime").cast(pl.Int64, strict=False)
        frame = br.download_columns(frame, br.prtime(pl.col("dateAdded")),
                                    file_uri_path(pl.col("destination").cast(pl.String)), state,
                                    "finished", FAILED_STATES)
        extra = {
            "target_path": pl.col("_target"), "destination_uri": pl.col("destination"),
            "title": pl.col("title"), "state": pl.col("_state"),
            "file_size": meta.str.json_path_match("$.fileSize").cast(pl.Int64, strict=False),
            "end_time": br.iso(br.prtime(end_ms * 1000)),
            "deleted": meta.str.json_path_match("$.deleted"),
        }
        return br.to_events(frame, ctx, self.name, "moz_annos", names, extra)
