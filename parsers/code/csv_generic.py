"""Any CSV/TSV log with a header row and a time column -> events, when no specific format claims it.

The delimiter is sniffed from the header (comma, semicolon, tab, pipe). The time column is
the first whose name looks like a time (guess_time.TIME_KEYS, or containing "time" or
"date") and whose values parse. Message, severity and host columns are taken by their usual
names; every other column goes to extra. Units are data records: the header is not one, and
a record whose quoted field holds line breaks is one unit (cited by its first line).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import polars as pl

from parsers.base import ParseContext, Source, decode_text
from parsers.code.guess_time import TIME_KEYS, parse_time, parses_mostly, severity_of, generic_frame
from parsers.lines import dumps_extra

DELIMITERS = (",", ";", "\t", "|")
_TIMEISH = re.compile(r"(?i)time|date|^ts$|^when$|created|logged")
MESSAGE_COLUMNS = ("message", "msg", "content", "text", "description", "log")
SEVERITY_COLUMNS = ("level", "severity", "lvl", "loglevel", "levelname")
HOST_COLUMNS = ("host", "hostname", "computer", "machine", "node")
SNIFF_ROWS = 50
SCORE = 0.35  # generic: any specific format that reads the file wins
BATCH_ROWS = 50_000


def _delimiter(header: str) -> str | None:
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else None


def _pick(names: list[str], wanted: tuple[str, ...]) -> int | None:
    lowered = [n.strip().lower() for n in names]
    for name in wanted:
        if name in lowered:
            return lowered.index(name)
    return None


def time_column(header: list[str], rows: list[list[str]]) -> int | None:
    """Index of the time column: named like a time and holding times."""
    lowered = [h.strip().lower() for h in header]
    ranked = [lowered.index(k) for k in TIME_KEYS if k in lowered]
    ranked += [i for i, name in enumerate(lowered) if _TIMEISH.search(name) and i not in ranked]
    for index in ranked:
        values = [row[index] for row in rows if index < len(row)]
        if values and parses_mostly(values):
            return index
    return None


class CsvGenericParser:
    name = "csv_generic"

    def sniff(self, source: Source, head: bytes) -> float:
        text = decode_text(head)
        if len(head) >= 65536:
            text = text[: text.rfind("\n") + 1]
        lines = text.splitlines()
        if len(lines) < 2 or (delimiter := _delimiter(lines[0])) is None:
            return 0.0
        rows = list(csv.reader(io.StringIO("\n".join(lines[: SNIFF_ROWS + 1])), delimiter=delimiter))
        header, body = rows[0], [r for r in rows[1:] if r]
        if not body or sum(len(r) == len(header) for r in body) < 0.8 * len(body):
            return 0.0
        return SCORE if time_column(header, body) is not None else 0.0

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        text = decode_text(source.read_bytes())
        first = text.split("\n", 1)[0]
        delimiter = _delimiter(first) or ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            return
        records: list[tuple[int, list[str]]] = []
        line = reader.line_num + 1
        for record in reader:
            records.append((line, record))
            line = reader.line_num + 1
        index = time_column(header, [r for _, r in records[:SNIFF_ROWS] if r])
        if index is None:
            ctx.warn(f"{ctx.source_file}: no column holds readable times; detection likely wrong")
        columns = {"message": _pick(header, MESSAGE_COLUMNS), "host": _pick(header, HOST_COLUMNS)}
        level = _pick(header, SEVERITY_COLUMNS)
        raw_lines = text.split("\n")
        for start in range(0, len(records), BATCH_ROWS):
            frame = self._frame(records[start:start + BATCH_ROWS], header, index, columns, level,
                                raw_lines, ctx)
            if frame.height:
                yield frame

    def _frame(self, records, header, index, columns, level, raw_lines, ctx: ParseContext) -> pl.DataFrame:
        rows, times = [], []
        for number, record in records:
            ctx.units += 1
            raw = raw_lines[number - 1].rstrip("\r") if number - 1 < len(raw_lines) else ""
            if not record or not any(field.strip() for field in record):
                ctx.add_unparsed(number, "empty line", raw)
                continue
            when = parse_time(record[index]) if index is not None and index < len(record) else None
            if when is None:
                ctx.add_unparsed(number, "no readable time in the time column", raw)
                continue
            used = {index}
            row = {"source_line": number, "raw": raw.strip()}
            for column, position in columns.items():
                present = position is not None and position < len(record)
                row[column] = record[position] if present else None
                if present:
                    used.add(position)
            severity = severity_of(record[level]) if level is not None and level < len(record) else None
            if severity is not None:
                used.add(level)
            row["severity"] = severity
            if not row["message"]:
                row["message"] = raw.strip()
            extra = {header[i] if i < len(header) else f"column_{i + 1}": value
                     for i, value in enumerate(record) if i not in used}
            row["extra"] = dumps_extra(extra) if extra else None
            rows.append(row)
            times.append(when)
        return generic_frame(rows, times, ctx, self.name)
