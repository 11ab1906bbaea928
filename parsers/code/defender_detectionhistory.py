"""Windows Defender DetectionHistory files (binary, one detection each) -> threat_detected events.

Layout (Orange Cyberdefense "wddh" notes, checked against the plaso test files): a run of
length/type/value items, each 8-byte aligned. Item types: 0x05/0x06 uint32, 0x08 uint64,
0x0a FILETIME, 0x15 UTF-16 string, 0x1e GUID, 0x28 a key/value blob. The file opens with the
ThreatID (uint64), the DetectionID (GUID, also the file name), an optional
"Magic.Version:1.2" and the threat name; each resource is "Magic.Version", resource type
("file", "webfile", "containerfile", ...), location, two uint32 and a blob of
ThreatTracking* keys. After the resources: LastThreatStatusChangeTime (the first FILETIME),
then the domain user and process name, InitialDetectionTime and RemediationTime.
"""

from __future__ import annotations

import json
import re
import struct
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import polars as pl

from parsers.base import ParseContext, Source
from parsers.schema import conform

T_U32, T_U32B, T_U64, T_FILETIME, T_STRING, T_GUID, T_BLOB = 0x05, 0x06, 0x08, 0x0A, 0x15, 0x1E, 0x28
MAGIC_VERSION = "Magic.Version:"
FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)
MAX_ITEM = 16 * 1024 * 1024
# Blob value types (different numbering from the outer items).
B_U32, B_U64, B_BOOL, B_WSTR, B_ASTR = 3, 4, 5, 6, 7


def filetime(value: int) -> datetime | None:
    """FILETIME (100 ns ticks since 1601-01-01 UTC); 0 means "not set"."""
    if value <= 0:
        return None
    return FILETIME_EPOCH + timedelta(microseconds=value // 10)


@dataclass
class Item:
    offset: int
    kind: int
    value: object


@dataclass
class Detection:
    threat_id: int | None = None
    detection_id: str | None = None
    threat_name: str | None = None
    resources: list[dict] = field(default_factory=list)
    tracking: dict = field(default_factory=dict)
    user: str | None = None
    process: str | None = None
    times: list[datetime | None] = field(default_factory=list)


def read_items(data: bytes) -> tuple[list[Item], str | None]:
    """Every item of the file, and why reading stopped early (None when it reached the end)."""
    items: list[Item] = []
    offset = 0
    while offset + 8 <= len(data):
        length, kind = struct.unpack_from("<II", data, offset)
        if length > MAX_ITEM or offset + 8 + length > len(data):
            return items, f"item at offset {offset} runs past the end of the file"
        body = data[offset + 8: offset + 8 + length]
        items.append(Item(offset, kind, _value(kind, body)))
        offset += 8 + length
        offset += -offset % 8
    return items, None


def _value(kind: int, body: bytes) -> object:
    if kind == T_STRING:
        return body.decode("utf-16-le", errors="replace").rstrip("\x00")
    if kind == T_FILETIME and len(body) == 8:
        return filetime(struct.unpack("<Q", body)[0])
    if kind == T_GUID and len(body) == 16:
        return str(uuid.UUID(bytes_le=body)).upper()
    if kind == T_BLOB:
        return read_blob(body)
    if len(body) == 8:
        return struct.unpack("<Q", body)[0]
    if len(body) == 4:
        return struct.unpack("<I", body)[0]
    return body.hex()


def read_blob(body: bytes) -> dict:
    """ThreatTracking* keys of a resource blob. Its header varies (4 or 0x18 bytes), so the
    key list is found by its first key name."""
    start = body.find("ThreatTracking".encode("utf-16-le"))
    if start < 4:
        return {}
    offset, values = start - 4, {}
    while offset + 8 <= len(body):
        (size,) = struct.unpack_from("<I", body, offset)
        key = body[offset + 4: offset + 4 + size].decode("utf-16-le", errors="replace").rstrip("\x00")
        offset += 4 + size
        if offset + 4 > len(body) or not key:
            break
        (kind,) = struct.unpack_from("<I", body, offset)
        offset += 4
        if kind == B_U32:
            value, offset = struct.unpack_from("<I", body, offset)[0], offset + 4
        elif kind == B_U64:
            value, offset = struct.unpack_from("<Q", body, offset)[0], offset + 8
        elif kind == B_BOOL:
            value, offset = bool(body[offset]), offset + 1
        elif kind in (B_WSTR, B_ASTR):
            (length,) = struct.unpack_from("<I", body, offset)
            raw = body[offset + 4: offset + 4 + length]
            value = raw.decode("utf-16-le" if kind == B_WSTR else "latin-1", errors="replace").rstrip("\x00")
            offset += 4 + length
        else:
            break  # unknown type: its size is unknown, so nothing after it can be trusted
        values[key] = value
    return values


def interpret(items: list[Item]) -> Detection:
    found = Detection()
    strings_after_first_time: list[str] = []
    seen_time = False
    index = 0
    for index, item in enumerate(items):
        if item.kind == T_U64 and found.threat_id is None and index == 0:
            found.threat_id = item.value
        elif item.kind == T_GUID and found.detection_id is None:
            found.detection_id = item.value
        elif item.kind == T_STRING and not item.value.startswith(MAGIC_VERSION) and found.threat_name is None:
            found.threat_name = item.value
        elif item.kind == T_FILETIME:
            found.times.append(item.value)
            seen_time = True
        elif item.kind == T_STRING and seen_time and len(found.times) == 1:
            strings_after_first_time.append(item.value)
    # resources: "Magic.Version", type, location ... blob
    for pos, item in enumerate(items):
        if pos > 2 and item.kind == T_STRING and item.value.startswith(MAGIC_VERSION):
            kind = items[pos + 1].value if pos + 1 < len(items) and items[pos + 1].kind == T_STRING else None
            where = items[pos + 2].value if pos + 2 < len(items) and items[pos + 2].kind == T_STRING else None
            blob = next((i.value for i in items[pos + 3: pos + 7] if i.kind == T_BLOB), {})
            found.resources.append({"type": kind, "location": where})
            for key, value in blob.items():
                found.tracking.setdefault(key, value)
    # Section 6: the last two strings before InitialDetectionTime are user and process.
    if len(strings_after_first_time) >= 2:
        found.user, found.process = strings_after_first_time[-2], strings_after_first_time[-1]
    elif strings_after_first_time:
        found.user = strings_after_first_time[-1]
    return found


_WEBFILE = re.compile(r"^(?P<path>[^|]*)\|(?P<url>[^|]*)(?:\|pid:(?P<pid>\d+))?")


def _event_fields(found: Detection) -> dict:
    last_change = found.times[0] if found.times else None
    initial = found.times[1] if len(found.times) > 1 else None
    remediation = found.times[2] if len(found.times) > 2 else None
    start_ticks = found.tracking.get("ThreatTrackingStartTime")
    tracking_start = filetime(start_ticks) if isinstance(start_ticks, int) else None
    by_type: dict[str, str] = {}
    for res in found.resources:
        by_type.setdefault(res.get("type") or "", res.get("location") or "")
    url = pid = None
    web_path = None
    if (match := _WEBFILE.match(by_type.get("webfile", ""))) and "webfile" in by_type:
        web_path, url = match["path"], match["url"] or None
        pid = int(match["pid"]) if match["pid"] else None
    # the detected file itself first, then the archive holding it, then where it was saved
    path = (by_type.get("file") or by_type.get("containerfile") or web_path
            or next(iter(by_type.values()), None))
    process = None if found.process in (None, "", "Unknown") else found.process
    when = initial or tracking_start or last_change
    name = found.threat_name or found.tracking.get("ThreatTrackingThreatName")
    return {
        "timestamp": when, "user": found.user or None, "process": process, "pid": pid, "url": url,
        "message": f"Defender detected {name or '?'} in {path or '?'}",
        "extra": {
            "threat_name": name, "threat_id": found.threat_id, "detection_id": found.detection_id,
            "path": path, "resources": found.resources,
            "initial_detection_time": _iso(initial), "last_status_change_time": _iso(last_change),
            "remediation_time": _iso(remediation), "tracking_start_time": _iso(tracking_start),
            "sha256": found.tracking.get("ThreatTrackingSha256"),
            "sha1": found.tracking.get("ThreatTrackingSha1"), "md5": found.tracking.get("ThreatTrackingMD5"),
            "size": found.tracking.get("ThreatTrackingSize"),
        },
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


class DefenderDetectionHistoryParser:
    name = "defender_detectionhistory"

    def sniff(self, source: Source, head: bytes) -> float:
        # ThreatID item (len 8, type 8), then the DetectionID GUID item (len 16, type 0x1e)
        if len(head) < 40 or head[:8] != b"\x08\x00\x00\x00\x08\x00\x00\x00":
            return 0.0
        if head[16:24] != b"\x10\x00\x00\x00\x1e\x00\x00\x00":
            return 0.0
        return 0.95 if "Magic.Version".encode("utf-16-le") in head[:200] else 0.8

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        data = source.read_bytes()
        ctx.units += 1  # one detection per file
        items, stopped = read_items(data)
        if stopped:
            ctx.warn(f"{ctx.source_file}: {stopped}; fields after it are missing")
        found = interpret(items)
        fields = _event_fields(found)
        record = f"detection:{found.detection_id or 'unknown'}"
        if fields["timestamp"] is None:
            ctx.add_unparsed(None, "no detection time in the file", data[:80].hex(), record=record)
            return
        extra = json.dumps(fields.pop("extra"), sort_keys=True, ensure_ascii=False, default=str)
        frame = pl.DataFrame([{
            **fields, "extra": extra, "raw": extra, "source_record": record,
            "event_id": f"{ctx.id_prefix}:{record}", "timestamp_quality": "exact",
            "source_format": self.name, "source_file": ctx.source_file,
            "category": "malware", "action": "threat_detected", "outcome": "unknown",
            "event_code": str(found.threat_id) if found.threat_id is not None else None,
        }])
        yield conform(frame)
