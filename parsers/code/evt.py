"""Legacy Windows EVT files (NT/XP/2003) -> event rows: EVENTLOGRECORDs carved by signature, mapped by the tables.

The file is a ring buffer: the header's offsets and record numbers go stale when the log is
dirty, records wrap from the end of the file back to just after the header, and old copies of
records survive in the slack. So records are carved wherever their 'LfLe' signature and
matching leading/trailing lengths say a record is, and identical copies are reported once.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import PurePath

import polars as pl

from parsers.base import ParseContext, Source
from parsers.code.winevent_map import normalized_frame, to_events

SIGNATURE = b"LfLe"
HEADER_SIZE = 0x30
MIN_RECORD = 0x38
MAX_RECORD = 0x40000
_FIXED = struct.Struct("<I4sIIIIHHHHIIIIII")
# EventType -> (Level as in EVTX, audit keywords)
_EVENT_TYPES = {1: (2, None), 2: (3, None), 4: (4, None), 0: (4, None),
                8: (4, "0x8020000000000000"), 16: (4, "0x8010000000000000")}
_CHANNELS = {"sysevent": "System", "secevent": "Security", "appevent": "Application"}


def _utf16z(data: bytes, offset: int) -> tuple[str, int]:
    """A NUL-terminated UTF-16LE string at an even offset, and the offset after it."""
    end = data.find(b"\x00\x00", offset)
    while end != -1 and (end - offset) % 2:
        end = data.find(b"\x00\x00", end + 1)
    if end == -1:
        end = len(data) - (len(data) - offset) % 2
    return data[offset:end].decode("utf-16-le", errors="replace"), end + 2


def _sid(raw: bytes) -> str | None:
    if len(raw) < 8 or raw[0] != 1:
        return None
    count = raw[1]
    authority = int.from_bytes(raw[2:8], "big")
    subs = struct.unpack_from(f"<{count}I", raw, 8) if len(raw) >= 8 + 4 * count else ()
    return "S-1-" + "-".join([str(authority), *map(str, subs)])


def _record_bytes(data: bytes, start: int) -> bytes | None:
    """The record at `start`, reassembled when it wraps past the end of the file."""
    length = struct.unpack_from("<I", data, start)[0]
    if not MIN_RECORD <= length <= MAX_RECORD or length % 4:
        return None
    if start + length <= len(data):
        record = data[start:start + length]
    else:  # wraps: the rest continues right after the file header
        tail = length - (len(data) - start)
        record = data[start:] + data[HEADER_SIZE:HEADER_SIZE + tail]
        if len(record) != length:
            return None
    if struct.unpack_from("<I", record, length - 4)[0] != length:
        return None
    return record


def _decode(record: bytes) -> dict:
    (_, _, number, generated, _, event_id, event_type, string_count, category, _, _,
     string_offset, sid_length, sid_offset, data_length, data_offset) = _FIXED.unpack_from(record, 0)
    source, position = _utf16z(record, _FIXED.size)
    computer, _ = _utf16z(record, position)
    strings = []
    position = string_offset
    for _ in range(string_count):
        if position >= len(record) - 4:
            break
        text, position = _utf16z(record, position)
        strings.append(text)
    sid = _sid(record[sid_offset:sid_offset + sid_length]) if sid_length else None
    level, keywords = _EVENT_TYPES.get(event_type, (4, None))
    data = {"Data": {"#text": strings}} if strings else {}
    if category:
        data["Category"] = category
    if data_length:
        data["Binary"] = record[data_offset:data_offset + min(data_length, 256)].hex().upper()
    return {
        "record": number, "time": generated, "event_code": str(event_id & 0xFFFF),
        "qualifiers": event_id >> 16, "level": level, "keywords": keywords, "provider": source,
        "computer": computer, "user_sid": sid, "data": data,
    }


class EvtParser:
    name = "evt"

    def sniff(self, source: Source, head: bytes) -> float:
        if len(head) >= 8 and head[4:8] == SIGNATURE and struct.unpack_from("<I", head, 0)[0] == HEADER_SIZE:
            return 1.0
        return 0.0

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        data = source.read_bytes()
        channel = _CHANNELS.get(PurePath(source.stem_name()).stem.lower())
        if channel:
            ctx.assume(f"{source.name}: legacy EVT files do not name their log; read as {channel} from the file name")
        else:
            ctx.warn(f"{source.name}: legacy EVT file name does not tell the log (System, Security, Application); "
                     "EventIDs are kept but not interpreted")
        if len(data) >= HEADER_SIZE and struct.unpack_from("<I", data, 36)[0] & 1:
            ctx.warn(f"{source.name}: EVT header marked dirty (not closed cleanly); records carved by signature")
        seen: dict[int, tuple[bytes, int]] = {}
        columns: dict[str, list] = {k: [] for k in (
            "_order", "record", "event_key", "timestamp", "quality", "channel", "provider", "event_code",
            "level", "keywords", "computer", "user_sid", "data", "raw")}
        duplicates = 0
        for match in re.finditer(re.escape(SIGNATURE), data):
            start = match.start() - 4
            if start < HEADER_SIZE:
                continue
            record = _record_bytes(data, start)
            if record is None:
                continue
            ctx.units += 1
            try:
                fields = _decode(record)
            except (struct.error, IndexError, ValueError) as err:
                ctx.add_unparsed(None, f"EVT record at offset {start} does not decode: {err}", record[:40].hex())
                continue
            number = fields["record"]
            if number in seen and seen[number][0] == record:
                duplicates += 1
                ctx.add_unparsed(None, f"identical copy of record {number} (first at offset {seen[number][1]})",
                                 "", record=str(number))
                continue
            key = str(number) if number not in seen else f"{number}@{start}"
            seen.setdefault(number, (record, start))
            columns["_order"].append(len(columns["record"]))
            columns["record"].append(number)
            columns["event_key"].append(key)
            columns["timestamp"].append(datetime.fromtimestamp(fields["time"], tz=timezone.utc))
            columns["quality"].append("exact")
            columns["channel"].append(channel)
            columns["provider"].append(fields["provider"])
            columns["event_code"].append(fields["event_code"])
            columns["level"].append(fields["level"])
            columns["keywords"].append(fields["keywords"])
            columns["computer"].append(fields["computer"])
            columns["user_sid"].append(fields["user_sid"])
            columns["data"].append(json.dumps(fields["data"], ensure_ascii=False, separators=(",", ":")))
            raw = {k: v for k, v in fields.items() if k != "time"}
            raw["time_generated"] = fields["time"]
            columns["raw"].append(json.dumps(raw, ensure_ascii=False, separators=(",", ":")))
        if duplicates:
            ctx.warn(f"{source.name}: {duplicates} stale identical copies of records in the ring buffer slack "
                     "reported as unparsed duplicates")
        if not columns["record"]:
            return
        numbers = set(columns["record"])
        gaps = max(numbers) - min(numbers) + 1 - len(numbers)
        if gaps:
            ctx.warn(f"{source.name}: {gaps} record number(s) between {min(numbers)} and {max(numbers)} "
                     "not found (overwritten or damaged)")
        frame = normalized_frame(columns).sort("record", "_order")
        frame = frame.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_order"))
        yield to_events(frame, ctx, self.name)
