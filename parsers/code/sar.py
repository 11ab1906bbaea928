"""`sar` text reports (sar -A, sar -u ...) -> metric_sample events; the date lives in a header line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import polars as pl

from parsers.base import ParseContext, Source, decode_text
from parsers.code.perf_rows import SampleBuffer, as_number, sample_events

# "Linux 5.0.16-100.fc28.x86_64 (linux.home) \t06/30/19 \t_x86_64_\t(8 CPU)"
HEADER = re.compile(r"^(?P<os>[A-Za-z]+)\s+(?P<kernel>\S+)\s+\((?P<host>[^)]*)\)\s+"
                    r"(?P<date>\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4})\b")
ROW = re.compile(r"^(?P<time>\d{1,2}:\d{2}:\d{2})(?:\s+(?P<ampm>[AaPp][Mm]))?\s+(?P<rest>\S.*)$")
SUMMARY = re.compile(r"^[A-Z][A-Za-z]+:\s")  # "Average:", "Summary:" (localized: "Moyenne:")
SNIFF_LINES = 60


def header_date(text: str) -> date | None:
    """sar prints the date in the locale's short form: MM/DD/YY, MM/DD/YYYY, YYYY-MM-DD
    (S_TIME_FORMAT=ISO) or DD/MM/YYYY; a first part above 12 can only be a day."""
    parts = re.split(r"[/.-]", text)
    try:
        a, b, c = (int(p) for p in parts)
    except ValueError:
        return None
    try:
        if len(parts[0]) == 4:
            return date(a, b, c)
        year = c + 2000 if c < 100 else c
        return date(year, b, a) if a > 12 else date(year, a, b)
    except ValueError:
        return None


def seconds_of_day(text: str, ampm: str | None) -> int | None:
    hour, minute, second = (int(p) for p in text.split(":"))
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.upper() == "PM" else 0)
    if hour > 23 or minute > 59 or second > 60:
        return None
    return hour * 3600 + minute * 60 + min(second, 59)


def fit(tokens: list[str], columns: list[str]) -> list[tuple[str, str]]:
    """Values under their headers. Free-text last columns (USB manufacturer and product)
    hold spaces, so surplus tokens join the last column and missing ones are left out.
    Upper-case headers (CPU, DEV, IFACE, INTR, FILESYSTEM ...) name the instance."""
    if len(tokens) > len(columns):
        tokens = tokens[: len(columns) - 1] + [" ".join(tokens[len(columns) - 1:])]
    return list(zip(columns, tokens))


def is_header_row(tokens: list[str]) -> bool:
    return all(as_number(t) is None for t in tokens)


class SarParser:
    name = "sar"

    def sniff(self, source: Source, head: bytes) -> float:
        lines = decode_text(head).splitlines()[:SNIFF_LINES]
        if not lines or not HEADER.match(lines[0]):
            return 0.0
        rows = sum(1 for line in lines[1:] if ROW.match(line))
        return 0.95 if rows else 0.6

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        buffer = SampleBuffer()
        day = host = None
        columns: list[str] = []
        previous = None
        offset_days = 0
        lines = decode_text(source.read_bytes()).split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\r")
            text = line.strip()
            if not text or SUMMARY.match(text):
                continue  # blank lines and Average:/Summary: (derived, not observed) are layout
            if match := HEADER.match(text):
                day, host = header_date(match["date"]), match["host"]
                columns, previous, offset_days = [], None, 0
                continue
            row = ROW.match(text)
            if row is None:
                ctx.units += 1
                ctx.add_unparsed(number, "not a sar header or sample row", line)
                continue
            seconds = seconds_of_day(row["time"], row["ampm"])
            tokens = row["rest"].split()
            if seconds is not None and is_header_row(tokens) and not row["rest"].startswith(("LINUX RESTART", "COM ")):
                columns, previous, offset_days = tokens, seconds, 0
                continue
            ctx.units += 1
            if day is None or seconds is None:
                ctx.add_unparsed(number, "no date header before this row" if day is None else "bad time", line)
                continue
            # a section's rows only move forward; going back means midnight was crossed
            if previous is not None and seconds < previous:
                offset_days += 1
            previous = seconds
            when = datetime(day.year, day.month, day.day) + timedelta(days=offset_days, seconds=seconds)
            if row["rest"].startswith("LINUX RESTART"):
                buffer.add(number, f"{number}:restart", when, None, None, None, host, text,
                           action="boot", message=f"LINUX RESTART {row['rest'][13:].strip()}".strip())
                continue
            if row["rest"].startswith("COM "):
                buffer.add(number, f"{number}:comment", when, None, None, None, host, text,
                           action="log_line", message=row["rest"])
                continue
            if not columns:
                ctx.add_unparsed(number, "sample row before any column header", line)
                continue
            cells = fit(tokens, columns)
            instance = "/".join(t for c, t in cells if c.isupper() or as_number(t) is None) or None
            before = len(buffer)
            for counter, token in cells:
                value = None if counter.isupper() else as_number(token)
                if value is not None:
                    buffer.add(number, f"{number}:{counter}", when, counter, instance, value, host, text)
            if len(buffer) == before:
                ctx.add_unparsed(number, "no numeric value in the row", line)
        if len(buffer):
            ctx.assume(f"{ctx.source_file}: sar prints local time without a zone; read as {ctx.tz}")
            yield sample_events(buffer.columns, ctx, self.name, "sar.", ctx.tz)
