"""`sadf -d` (semicolon CSV) and `sadf -p` (tab-separated) exports of sysstat data -> metric_sample events."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone

import polars as pl

from parsers.base import ParseContext, Source, decode_text
from parsers.code.perf_rows import SampleBuffer, as_number, sample_events

# "2019-06-30 05:39:34 UTC" (default), "2019-06-30 07:39:34" (-T/-t: local), "1561873174" (-U)
STAMP = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<time>\d{2}:\d{2}:\d{2})(?P<utc>\s*UTC)?$")
EPOCH = re.compile(r"^\d{9,11}$")
SNIFF_LINES = 50


def read_stamp(text: str) -> tuple[datetime | None, bool]:
    """(time, is_utc): UTC times are aware, local ones naive."""
    text = text.strip()
    if EPOCH.match(text):
        return datetime.fromtimestamp(int(text), tz=timezone.utc), True
    match = STAMP.match(text)
    if not match:
        return None, False
    naive = datetime.fromisoformat(f"{match['date']} {match['time']}")
    return (naive.replace(tzinfo=timezone.utc), True) if match["utc"] else (naive, False)


def looks_like_sadf(lines: list[str]) -> bool:
    for line in lines:
        if line.startswith("# hostname;interval;timestamp"):
            return True
        fields = line.split("\t")
        if len(fields) == 6 and read_stamp(fields[2])[0] is not None and as_number(fields[5]) is not None:
            return True
    return False


class SadfRows:
    """Reads sadf lines one by one; shared by the text export and binary sa files (which are
    turned into sadf -d text first)."""

    def __init__(self, ctx: ParseContext, binary: bool = False) -> None:
        self.ctx, self.binary = ctx, binary
        self.utc = SampleBuffer()
        self.local = SampleBuffer()
        self.columns: list[str] = []

    def _where(self, number: int) -> str:
        return f"sadf:{number}" if self.binary else str(number)

    def feed(self, lines: Iterable[str]) -> None:
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\r")
            if not line.strip():
                continue
            if line.startswith("#"):
                self.columns = [c.strip() for c in line.lstrip("# ").split(";")]
                continue
            self.ctx.units += 1
            fields = line.split(";") if ";" in line else line.split("\t")
            when, is_utc = read_stamp(fields[2]) if len(fields) > 3 else (None, False)
            if when is None:
                self._unparsed(number, "no sadf timestamp in the third field", line)
                continue
            buffer = self.utc if is_utc else self.local
            host, rest = fields[0], fields[3:]
            where = self._where(number)
            if rest[0].startswith(("LINUX-RESTART", "LINUX RESTART")):
                buffer.add(number, f"{where}:restart", when, None, None, None, host, line,
                           action="boot", message=" ".join(rest).replace("\t", " "))
                continue
            if rest[0].startswith("COM "):
                buffer.add(number, f"{where}:comment", when, None, None, None, host, line,
                           action="log_line", message=rest[0])
                continue
            before = len(buffer)
            if ";" not in line and len(fields) == 6:  # sadf -p: host, interval, time, device, field, value
                value = as_number(fields[5])
                instance = None if fields[3] in ("-", "") else fields[3]
                if value is not None:
                    buffer.add(number, f"{where}:{fields[4]}", when, fields[4], instance, value, host, line)
            else:
                self._row(number, where, when, host, fields, line, buffer)
            if len(buffer) == before:
                self._unparsed(number, "no numeric value under a column header", line)

    def _row(self, number, where, when, host, fields, line, buffer) -> None:
        cells = list(zip(self.columns[3:], fields[3:]))
        values = [(c, t, as_number(t)) for c, t in cells]
        instance = "/".join(t for c, t, v in values if c.isupper() or v is None) or None
        for counter, _, value in values:
            if value is not None and not counter.isupper():
                buffer.add(number, f"{where}:{counter}", when, counter, instance, value, host, line)

    def _unparsed(self, number: int, reason: str, line: str) -> None:
        if self.binary:
            self.ctx.add_unparsed(None, reason, line, record=self._where(number))
        else:
            self.ctx.add_unparsed(number, reason, line)

    def frames(self, fmt: str) -> Iterator[pl.DataFrame]:
        if len(self.utc):
            yield sample_events(self.utc.columns, self.ctx, fmt, "sar.", None, text_lines=not self.binary)
        if len(self.local):
            self.ctx.assume(f"{self.ctx.source_file}: sadf local times carry no zone; read as {self.ctx.tz}")
            yield sample_events(self.local.columns, self.ctx, fmt, "sar.", self.ctx.tz, text_lines=not self.binary)


class SadfParser:
    name = "sadf"

    def sniff(self, source: Source, head: bytes) -> float:
        lines = decode_text(head).splitlines()[:SNIFF_LINES]
        return 0.95 if looks_like_sadf(lines) else 0.0

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        rows = SadfRows(ctx)
        text = decode_text(source.read_bytes())
        rows.feed(text.split("\n"))
        yield from rows.frames(self.name)
