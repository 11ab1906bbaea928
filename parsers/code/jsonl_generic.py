"""Any JSON-lines log (one object per line) -> events, when no specific format claims it.

The timestamp key is chosen once per file from the first objects: the first of
guess_time.TIME_KEYS (case-insensitive) present in most of them whose values parse. Message,
severity, host and pid come from their usual keys; every other key goes to extra. Each line
is one unit: an object with a readable timestamp is an event, anything else is unparsed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import polars as pl

from parsers.base import ParseContext, Source, decode_text, iter_text_chunks
from parsers.code.guess_time import TIME_KEYS, parse_time, parses_mostly, severity_of, generic_frame
from parsers.lines import dumps_extra, split_lines

MESSAGE_KEYS = ("message", "msg", "log", "text")
SEVERITY_KEYS = ("level", "severity", "lvl", "loglevel", "log.level", "levelname")
HOST_KEYS = ("host", "hostname", "host.name")
PID_KEYS = ("pid", "process.pid")
SNIFF_LINES = 200
# Generic readers score low so that any specific format reading the file as well wins.
SCORE_ALL = 0.4
SCORE_MOST = 0.35


def _load(line: str) -> dict | None:
    text = line.strip()
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _find(obj: dict, keys: tuple[str, ...]) -> str | None:
    """The first key of obj matching one of keys, case-insensitively."""
    lowered = {k.lower(): k for k in obj}
    for key in keys:
        if key in lowered:
            return lowered[key]
    return None


def _scalar(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False) if value is not None else None
    return str(value)


def time_key(objects: list[dict]) -> str | None:
    """The timestamp key of a file, chosen on its first objects."""
    for candidate in TIME_KEYS:
        values = [obj[k] for obj in objects for k in obj if k.lower() == candidate]
        if len(values) * 2 >= len(objects) and parses_mostly(values):
            return candidate
    return None


class JsonlGenericParser:
    name = "jsonl_generic"

    def sniff(self, source: Source, head: bytes) -> float:
        lines = [line for line in decode_text(head).splitlines() if line.strip()][:SNIFF_LINES]
        if len(head) >= 65536 and len(lines) > 1:
            lines = lines[:-1]
        objects = [o for o in map(_load, lines) if o is not None]
        if not objects or time_key(objects) is None:
            return 0.0
        share = len(objects) / len(lines)
        return SCORE_ALL if share >= 0.9 else SCORE_MOST if share >= 0.6 else 0.0

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        key: str | None = None
        first_line = 1
        for text in iter_text_chunks(source, ctx.chunk_bytes):
            lines = split_lines(text).to_list()
            objects = [_load(line) for line in lines]
            if key is None:
                key = time_key([o for o in objects if o is not None][:SNIFF_LINES])
                if key is None:
                    ctx.warn(f"{ctx.source_file}: no timestamp key found among {list(TIME_KEYS)}; "
                             "detection likely wrong")
            frame = self._frame(lines, objects, key, first_line, ctx)
            first_line += len(lines)
            if frame.height:
                yield frame

    def _frame(self, lines: list[str], objects: list[dict | None], key: str | None,
               first_line: int, ctx: ParseContext) -> pl.DataFrame:
        rows, times = [], []
        for offset, (line, obj) in enumerate(zip(lines, objects)):
            number = first_line + offset
            ctx.units += 1
            if obj is None:
                reason = "empty line" if not line.strip() else "not a JSON object"
                ctx.add_unparsed(number, reason, line)
                continue
            found = _find(obj, (key,)) if key else None
            when = parse_time(obj[found]) if found else None
            if when is None:
                ctx.add_unparsed(number, f"no readable timestamp in key {key!r}", line)
                continue
            rows.append(self._row(obj, found, number, line))
            times.append(when)
        return generic_frame(rows, times, ctx, self.name)

    def _row(self, obj: dict, time_field: str, number: int, line: str) -> dict:
        used = {time_field}
        row: dict = {"source_line": number, "raw": line.strip()}
        for column, keys in (("message", MESSAGE_KEYS), ("host", HOST_KEYS), ("pid", PID_KEYS)):
            found = _find(obj, keys)
            value = obj.get(found) if found else None
            if column == "host" and isinstance(value, dict):
                value = value.get("name") or value.get("hostname")
            if found and not isinstance(value, (dict, list)):
                used.add(found)
                row[column] = _scalar(value)
            else:
                row[column] = None
        found = _find(obj, SEVERITY_KEYS)
        row["severity"] = severity_of(obj[found]) if found else None
        if found:
            used.add(found)
        if row["message"] is None:
            row["message"] = line.strip()
        extra = {k: v for k, v in obj.items() if k not in used}
        if found and row["severity"] is None:
            extra[found] = obj[found]  # an unknown level word stays visible
        row["extra"] = dumps_extra(extra) if extra else None
        return row
