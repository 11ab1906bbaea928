"""IIS W3C extended logs (u_ex*.log) -> http_request events, columns named by the latest #Fields line.

The header (#Software, #Version, #Date, #Fields, #Remark, #Start-Date, #End-Date) may repeat
mid-file, each time IIS restarts or the logged fields change; each data line is read with
the #Fields in force above it. Fields are separated by one space (IIS writes spaces inside
values as "+"), "-" is an empty value. Times are UTC (the W3C format's rule; IIS's other
formats, not W3C, log local time). A #Fields list without `date` takes the date of #Date.

Columns: c-ip -> src_ip, cs-username -> user, cs-uri-stem (+ "?" + cs-uri-query) -> url,
sc-status -> event_code, s-computername -> host, time-taken (milliseconds) -> metric
latency_ms; every other field under its W3C name in extra. Status below 400 is a success,
4xx a failure with severity warning, 5xx a failure with severity error.

Accounting (parsers.code.header_tables): directives are the header and not units; blank and
other "#" lines are unparsed units; a data line whose field count differs from #Fields, or
before any #Fields, or whose date and time do not parse, is unparsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import polars as pl

from parsers import timestamps as ts
from parsers.base import ParseContext, Source, decode_text, provenance
from parsers.code.header_tables import (Block, blocks, column_or_null, extra_of, field_count_reason,
                                        report_rejects, split_columns)
from parsers.schema import conform, empty_events

DIRECTIVES = ("Software", "Version", "Date", "Fields", "Remark", "Start-Date", "End-Date")
_DIRECTIVE = re.compile(r"^#(?P<name>" + "|".join(DIRECTIVES) + r"):\s*(?P<value>.*?)\s*$")
# fields that only the web server log family has (W3C prefixes c-, s-, cs-, sc-)
_HTTP_FIELD = re.compile(r"^(?:c-ip|s-ip|cs-|sc-|cs\()")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S%.f")
# fields that become columns (or the timestamp): the rest go to extra
MAPPED = {"date", "time", "c-ip", "cs-username", "cs-uri-stem", "cs-uri-query", "sc-status",
          "time-taken", "s-computername"}


def read_directive(line: str) -> tuple[str, str] | None:
    found = _DIRECTIVE.match(line)
    return (found["name"], found["value"]) if found else None


def _status_columns(status: pl.Expr) -> list[pl.Expr]:
    code = status.cast(pl.Int64, strict=False)
    return [
        pl.when(code < 400).then(pl.lit("success")).when(code < 600).then(pl.lit("failure"))
        .otherwise(pl.lit("unknown")).alias("outcome"),
        pl.when(code < 400).then(pl.lit("info")).when(code < 500).then(pl.lit("warning"))
        .when(code < 600).then(pl.lit("error")).alias("severity"),
    ]


class IisParser:
    name = "iis"

    def sniff(self, source: Source, head: bytes) -> float:
        text = decode_text(head)
        fields = re.search(r"^#Fields:[ \t]*(.*?)\s*$", text, flags=re.M)
        if fields is None or "," in fields[1]:  # Exchange tracking logs: W3C-like but CSV
            return 0.0
        names = fields[1].split()
        if "time" not in names or not any(_HTTP_FIELD.match(n) for n in names):
            return 0.0  # e.g. Windows Firewall pfirewall.log: W3C header, local times, no HTTP
        if re.search(r"^#Software: Microsoft Internet Information Services", text, flags=re.M):
            return 0.95
        return 0.9 if re.search(r"^#Version:", text, flags=re.M) else 0.6

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        for block in blocks(source, ctx, read_directive):
            frame = self._block(block, ctx)
            if frame.height:
                yield frame

    def _block(self, block: Block, ctx: ParseContext) -> pl.DataFrame:
        names = block.directives.get("Fields", "").split()
        numbers = pl.int_range(pl.len(), dtype=pl.Int64) + block.first_line
        lines = block.lines.str.strip_chars_end(" ")
        if "time" not in names:
            why = "no #Fields directive before this line" if not names else "#Fields names no time field"
            rejects = pl.DataFrame({"line": lines}).with_columns(numbers.alias("source_line"))
            report_rejects(rejects, pl.lit(False), pl.lit(why), ctx)
            return empty_events()
        frame = split_columns(lines, " ", names).with_columns(numbers.alias("source_line"))
        frame = report_rejects(frame, pl.col("_fields") == len(names), field_count_reason(len(names)), ctx)
        names = [c for c in frame.columns if c not in ("line", "_fields", "source_line")]
        frame = frame.with_columns(pl.when(pl.col(n) != "-").then(pl.col(n)).alias(n) for n in names)
        day = pl.col("date") if "date" in names else pl.lit(block.directives.get("Date", "")[:10])
        stamp = ts.parse_naive(pl.concat_str(day, pl.lit(" "), pl.col("time")), TIME_FORMATS)
        frame = frame.with_columns(stamp.dt.replace_time_zone("UTC").alias("timestamp"))
        frame = report_rejects(frame, pl.col("timestamp").is_not_null(),
                               pl.lit("date and time not understood"), ctx)
        return self._events(frame, names, ctx)

    def _events(self, frame: pl.DataFrame, names: list[str], ctx: ParseContext) -> pl.DataFrame:
        stem, query = column_or_null(frame, "cs-uri-stem"), column_or_null(frame, "cs-uri-query")
        url = pl.when(query.is_not_null()).then(stem + pl.lit("?") + query).otherwise(stem)
        status = column_or_null(frame, "sc-status")
        taken = column_or_null(frame, "time-taken").cast(pl.Float64, strict=False)
        extras = [n for n in names if n not in MAPPED]
        out = frame.select(
            "timestamp", "source_line",
            pl.col("line").str.strip_chars().alias("raw"),
            column_or_null(frame, "c-ip").alias("src_ip"),
            column_or_null(frame, "cs-username").alias("user"),
            column_or_null(frame, "s-computername").alias("host"),
            url.alias("url"),
            status.alias("event_code"),
            pl.when(taken.is_not_null()).then(pl.lit("latency_ms")).alias("metric_name"),
            taken.alias("metric_value"),
            pl.concat_str(column_or_null(frame, "cs-method"), url, status, separator=" ",
                          ignore_nulls=True).alias("message"),
            extra_of(extras).alias("extra"),
            *_status_columns(status),
        )
        return conform(out.with_columns(
            pl.lit("exact").alias("timestamp_quality"),
            pl.lit("web").alias("category"),
            pl.lit("http_request").alias("action"),
            *provenance(ctx, self.name),
        ))
