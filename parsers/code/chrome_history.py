"""Chrome / Edge / Brave `History` SQLite -> page_visit and download events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import polars as pl

from parsers.base import ParseContext, Source
from parsers.code import browser_rows as br
from parsers.schema import empty_events
from parsers.code.sqlite_source import columns_of, fetch, open_copy, pick, readable, sniff_tables

# ui/base/page_transition_types.h: the low byte is the core type, the rest are qualifier bits.
CORE_TRANSITIONS = {
    0: "link", 1: "typed", 2: "auto_bookmark", 3: "auto_subframe", 4: "manual_subframe",
    5: "generated", 6: "auto_toplevel", 7: "form_submit", 8: "reload", 9: "keyword",
    10: "keyword_generated",
}
TRANSITION_QUALIFIERS = {
    0x00800000: "blocked", 0x01000000: "forward_back", 0x02000000: "from_address_bar",
    0x04000000: "home_page", 0x08000000: "from_api", 0x10000000: "chain_start",
    0x20000000: "chain_end", 0x40000000: "client_redirect", 0x80000000: "server_redirect",
}
# components/download/public/common/download_item.h (DownloadState) and the danger types.
DOWNLOAD_STATES = {0: "in_progress", 1: "complete", 2: "cancelled", 3: "interrupted", 4: "interrupted"}
FAILED_STATES = ("cancelled", "interrupted")
DANGER_TYPES = {
    0: "not_dangerous", 1: "dangerous_file", 2: "dangerous_url", 3: "dangerous_content",
    4: "maybe_dangerous_content", 5: "uncommon_content", 6: "user_validated", 7: "dangerous_host",
    8: "potentially_unwanted", 9: "allowlisted_by_policy", 10: "async_scanning",
    11: "blocked_password_protected", 12: "blocked_too_large", 13: "sensitive_content_warning",
    14: "sensitive_content_block", 15: "deep_scanned_safe", 16: "deep_scanned_opened_dangerous",
    17: "prompt_for_scanning", 18: "blocked_unsupported_filetype",
}
VISIT_COLUMNS = ("id", "visit_time", "from_visit", "transition", "visit_duration")
URL_COLUMNS = ("url", "title", "visit_count", "typed_count", "hidden")
DOWNLOAD_COLUMNS = (
    "id", "guid", "current_path", "target_path", "full_path", "url", "start_time", "end_time",
    "received_bytes", "total_bytes", "state", "danger_type", "interrupt_reason", "opened",
    "last_access_time", "referrer", "site_url", "tab_url", "tab_referrer_url", "mime_type",
    "original_mime_type",
)


def transition_name(code: pl.Expr) -> pl.Expr:
    core = (code.cast(pl.Int64) & 0xFF).replace_strict(CORE_TRANSITIONS, default=None, return_dtype=pl.String)
    return pl.coalesce(core, pl.lit("core_") + (code.cast(pl.Int64) & 0xFF).cast(pl.String))


def transition_qualifiers(code: pl.Expr) -> pl.Expr:
    """The qualifier names set in a transition, as a list (empty when none)."""
    flags = [pl.when((code.cast(pl.Int64) & bit) != 0).then(pl.lit(name))
             for bit, name in TRANSITION_QUALIFIERS.items()]
    return pl.concat_list(flags).list.drop_nulls()


class ChromeHistoryParser:
    name = "chrome_history"

    def sniff(self, source: Source, head: bytes) -> float:
        return sniff_tables(source, head, ("urls", "visits", "meta"))

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        with closing(open_copy(source, ctx)) as conn:
            yield self._visits(conn, ctx)
            if columns_of(conn, "downloads"):
                yield self._downloads(conn, ctx)

    def _visits(self, conn, ctx: ParseContext) -> pl.DataFrame:
        visit_cols = pick(columns_of(conn, "visits"), "v", VISIT_COLUMNS)
        url_cols = pick(columns_of(conn, "urls"), "u", URL_COLUMNS)
        if not readable(ctx, "visits", visit_cols):
            return empty_events()
        sql = (f"SELECT {', '.join(visit_cols + url_cols)}, ru.url AS referrer FROM visits v "
               "LEFT JOIN urls u ON u.id = v.url "
               "LEFT JOIN visits rv ON rv.id = v.from_visit AND v.from_visit > 0 "
               "LEFT JOIN urls ru ON ru.id = rv.url ORDER BY v.id")
        names, rows = fetch(conn, sql, "visits", ctx)
        frame = br.rows_frame(names or ["id", "visit_time", "transition", "url", "title", "referrer"], rows)
        frame = br.ensure_columns(frame, ("title", "transition", "from_visit", "visit_duration", "referrer"))
        frame = br.visit_columns(frame, br.webkit_time(pl.col("visit_time")), transition_name(pl.col("transition")))
        extra = {
            "title": pl.col("title"), "visit_id": pl.col("id"), "transition": pl.col("_transition"),
            "transition_qualifiers": transition_qualifiers(pl.col("transition")),
            "transition_code": pl.col("transition"), "from_visit": pl.col("from_visit"),
            "referrer": pl.col("referrer"),
            "visit_duration_us": pl.col("visit_duration"),
        }
        return br.to_events(frame, ctx, self.name, "visits", names, extra)

    def _downloads(self, conn, ctx: ParseContext) -> pl.DataFrame:
        columns = columns_of(conn, "downloads")
        selected = pick(columns, "d", DOWNLOAD_COLUMNS)
        if not readable(ctx, "downloads", selected):
            return empty_events()
        sql = f"SELECT {', '.join(selected)} FROM downloads d ORDER BY d.id"
        names, rows = fetch(conn, sql, "downloads", ctx)
        frame = br.ensure_columns(br.rows_frame(names or ["id", "start_time"], rows), DOWNLOAD_COLUMNS)
        chains = self._url_chains(conn, ctx)
        frame = frame.join(chains, on="id", how="left") if chains.height else frame.with_columns(
            pl.lit(None, dtype=pl.List(pl.String)).alias("url_chain"))
        # Chrome before v26 kept start_time in POSIX seconds and the path in full_path.
        modern = "target_path" in columns or "current_path" in columns
        start = br.webkit_time(pl.col("start_time")) if modern else br.posix_seconds(pl.col("start_time"))
        target = pl.coalesce(pl.col("target_path"), pl.col("current_path"), pl.col("full_path"))
        frame = br.download_columns(frame, start, target, br.code_name(pl.col("state"), DOWNLOAD_STATES),
                                    "complete", FAILED_STATES,
                                    url=pl.coalesce(pl.col("url_chain").list.last(), pl.col("url")))
        extra = {
            "target_path": pl.col("_target"), "current_path": pl.col("current_path"),
            "state": pl.col("_state"), "danger_type": br.code_name(pl.col("danger_type"), DANGER_TYPES),
            "danger_type_code": pl.col("danger_type"), "interrupt_reason": pl.col("interrupt_reason"),
            "opened": pl.col("opened").cast(pl.Boolean, strict=False),
            "referrer": pl.col("referrer"), "site_url": pl.col("site_url"), "tab_url": pl.col("tab_url"),
            "tab_referrer_url": pl.col("tab_referrer_url"), "mime": pl.col("mime_type"),
            "original_mime": pl.col("original_mime_type"),
            "received_bytes": pl.col("received_bytes"), "total_bytes": pl.col("total_bytes"),
            "end_time": br.iso(br.webkit_time(pl.col("end_time"))),
            "last_access_time": br.iso(br.webkit_time(pl.col("last_access_time"))),
            "url_chain": pl.col("url_chain"), "guid": pl.col("guid"),
        }
        return br.to_events(frame, ctx, self.name, "downloads", names, extra)

    def _url_chains(self, conn, ctx: ParseContext) -> pl.DataFrame:
        if not columns_of(conn, "downloads_url_chains"):
            return pl.DataFrame()
        names, rows = fetch(conn, "SELECT id, chain_index, url FROM downloads_url_chains "
                            "ORDER BY id, chain_index", "downloads_url_chains", ctx)
        if not rows:
            return pl.DataFrame()
        chains = br.rows_frame(names, rows)
        return chains.group_by("id", maintain_order=True).agg(pl.col("url").cast(pl.String).alias("url_chain"))

