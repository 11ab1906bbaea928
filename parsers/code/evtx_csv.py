"""Windows events exported as CSV (Event Viewer, Get-WinEvent/Get-EventLog | Export-Csv) -> event rows via the tables.

These exports carry no EventData, only the rendered message; the "Label: value" lines of that
message, in the display language of the machine that exported it, stand in for the EventData
fields the tables name (Account Name / Nom du compte -> TargetUserName, ...; winevent_labels).
Times are local wall-clock times without a zone, so they are read in the case zone.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import PurePath

import polars as pl

from parsers.base import ParseContext, Source, decode_text
from parsers.code.winevent_labels import as_event_data, load_labels, message_fields, normalized
from parsers.code.winevent_map import RAW_CHARS, normalized_frame, to_events
from parsers.code.winevent_tables import load_tables

_ALIASES = {
    "event_code": ("Id", "EventID", "Event ID"),
    "time": ("TimeCreated", "TimeGenerated", "Date and Time"),
    "provider": ("ProviderName", "Source"),
    "channel": ("LogName", "Log"),
    "computer": ("MachineName",),
    "record": ("RecordId", "Index"),
    "level": ("Level", "EntryType", "LevelDisplayName"),
    "keywords": ("Keywords",),
    "user_sid": ("UserId", "UserName"),
    "sys_pid": ("ProcessId",),
    "text": ("Message",),
    "task": ("Task Category", "TaskDisplayName"),
}
# (format, does it say AM/PM) in the order tried; ambiguous day/month is reported as an assumption.
_TIME_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S",
                 "%d.%m.%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S")
# PowerShell's own level names, which are never translated
_LEVEL_NAMES = {"critical": 1, "error": 2, "warning": 3, "information": 4, "verbose": 5}
_AUDIT = {"successaudit": "0x8020000000000000", "failureaudit": "0x8010000000000000"}


def viewer_header(cells: list[str]) -> list[str]:
    """Event Viewer column names in English whatever the display language (others unchanged)."""
    columns = load_labels().columns
    return [columns.get(normalized(cell), cell) for cell in cells]


def _is_viewer_header(line: str) -> bool:
    cells = viewer_header(next(csv.reader([line]), []))
    return len(cells) >= 4 and cells[0] in ("Level", "Keywords") and cells[1:4] == ["Date and Time", "Source", "Event ID"]


def _pick(row: dict, names: tuple[str, ...]) -> str | None:
    for name in names:
        value = row.get(name)
        if value not in (None, ""):
            return value
    return None


def _audit(text: str | None) -> str | None:
    if not text:
        return None
    key = normalized(text)
    return _AUDIT.get(key) or load_labels().audit.get(key)


def _keywords(value: str | None, level_text: str | None) -> str | None:
    for text in (value, level_text):
        if mask := _audit(text):
            return mask
    if value and value.lstrip("-").isdigit():  # PowerShell writes the 64-bit mask as a signed long
        return f"0x{int(value) & 0xFFFFFFFFFFFFFFFF:016x}"
    return value if value and value.startswith("0x") else None


def _level(value: str | None) -> int | None:
    if value is None:
        return None
    if value.isdigit():
        return int(value)
    if _audit(value):
        return 4
    key = normalized(value)
    return _LEVEL_NAMES.get(key) or load_labels().levels.get(key)


class EvtxCsvParser:
    name = "evtx_csv"

    def sniff(self, source: Source, head: bytes) -> float:
        text = decode_text(head[:8192]).lstrip()
        first = text.split("\n", 1)[0].strip()
        if first.startswith(("#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord",
                             "#TYPE System.Diagnostics.EventLogEntry")):
            return 0.95
        if _is_viewer_header(first):
            return 0.95
        header = first.replace('"', "").split(",")
        if "TimeCreated" in header and ("Id" in header or "ProviderName" in header):
            return 0.9
        return 0.0

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        text = decode_text(source.read_bytes())
        lines = text.split("\n")
        skip = 1 if lines and lines[0].startswith("#TYPE") else 0
        reader = csv.reader(io.StringIO("\n".join(lines[skip:])))
        header = next(reader, None)
        if header is None:
            return
        header = viewer_header(header)
        if header and header[-1] == "Task Category":
            header = header + ["Message"]  # Event Viewer leaves the message column unnamed
        tables = load_tables()
        channel_hint = self._channel_from_name(source, tables)
        rows: list[dict] = []
        line_numbers: list[int] = []
        start = reader.line_num + 1
        for values in reader:
            line = start + skip
            start = reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            ctx.units += 1
            row = dict(zip(header, values))
            if _pick(row, _ALIASES["event_code"]) is None or _pick(row, _ALIASES["time"]) is None:
                ctx.add_unparsed(line, "CSV row without event id or time", ",".join(values))
                continue
            rows.append(row)
            line_numbers.append(line)
        if not rows:
            return
        yield self._frame(rows, line_numbers, channel_hint, tables, ctx)

    def _channel_from_name(self, source: Source, tables) -> str | None:
        stem = PurePath(source.stem_name()).stem.lower()
        for table in tables.tables:
            for channel in table.channels:
                short = channel.split("/")[0].split("-")[-1].lower()  # Security, System, Sysmon...
                if len(short) >= 5 and short in stem:
                    return channel
        return None

    def _frame(self, rows: list[dict], line_numbers: list[int], channel_hint: str | None, tables,
               ctx: ParseContext) -> pl.DataFrame:
        columns: dict[str, list] = {k: [] for k in (
            "_order", "record", "event_key", "channel", "provider", "event_code", "level", "keywords",
            "computer", "user_sid", "sys_pid", "data", "raw", "text", "quality")}
        times = []
        inferred = 0
        for order, (row, line) in enumerate(zip(rows, line_numbers)):
            provider = _pick(row, _ALIASES["provider"])
            code = _pick(row, _ALIASES["event_code"])
            channel = _pick(row, _ALIASES["channel"])
            if channel is None:
                channel = (tables.channel_of_provider(provider) if provider else None) or channel_hint
                inferred += channel is not None
            record = _pick(row, _ALIASES["record"])
            level_text = _pick(row, _ALIASES["level"])
            message = _pick(row, _ALIASES["text"])
            fields = message_fields(message, code)
            task = _pick(row, _ALIASES["task"])
            if task:
                fields["TaskCategory"] = task
            pid = _pick(row, _ALIASES["sys_pid"])
            columns["_order"].append(order)
            columns["record"].append(int(record) if record and record.isdigit() else None)
            columns["event_key"].append(record if record and record.isdigit() else f"L{line}")
            columns["channel"].append(channel)
            columns["provider"].append(provider)
            columns["event_code"].append(code.strip())
            columns["level"].append(_level(level_text))
            columns["keywords"].append(_keywords(_pick(row, _ALIASES["keywords"]), level_text))
            columns["computer"].append(_pick(row, _ALIASES["computer"]))
            columns["user_sid"].append(_pick(row, _ALIASES["user_sid"]))
            columns["sys_pid"].append(int(pid) if pid and pid.isdigit() else None)
            columns["data"].append(json.dumps(as_event_data(fields), ensure_ascii=False, separators=(",", ":")) if fields else None)
            columns["raw"].append(json.dumps(row, ensure_ascii=False, separators=(",", ":"))[:RAW_CHARS])
            columns["text"].append(message)
            columns["quality"].append("tz_assumed")
            times.append(_pick(row, _ALIASES["time"]).strip())
        if inferred:
            ctx.assume(f"{ctx.source_file}: the export names no log; {inferred} row(s) assigned a log "
                       "from their provider or the file name")
        frame = normalized_frame(columns).with_columns(self._times(times, ctx).alias("timestamp"))
        bad = frame.filter(pl.col("timestamp").is_null())
        keep = [line for line, ok in zip(line_numbers, frame["timestamp"].is_not_null().to_list()) if ok]
        for order, raw in bad.select("_order", "raw").iter_rows():
            ctx.add_unparsed(line_numbers[order], "time not in a known export format", raw)
        frame = frame.filter(pl.col("timestamp").is_not_null())
        events = to_events(frame, ctx, self.name)
        return events.with_columns(pl.Series("source_line", keep, dtype=pl.Int64))

    def _times(self, values: list[str], ctx: ParseContext) -> pl.Series:
        series = pl.Series("t", values, dtype=pl.String).str.replace_all("[\u200e\u200f]", "")
        best, best_ok, best_format = None, -1, None
        for fmt in _TIME_FORMATS:
            parsed = series.str.strptime(pl.Datetime("us"), fmt, strict=False)
            ok = parsed.len() - parsed.null_count()
            if ok > best_ok:
                best, best_ok, best_format = parsed, ok, fmt
            if ok == series.len():
                break
        if best_format in ("%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S"):
            ctx.assume(f"{ctx.source_file}: dates read as {best_format[:8]} (day/month order is not stated)")
        ctx.assume(f"{ctx.source_file}: export times have no zone; read as {ctx.tz}")
        local = best.dt.replace_time_zone(ctx.tz, ambiguous="earliest", non_existent="null")
        return local.dt.convert_time_zone("UTC")
