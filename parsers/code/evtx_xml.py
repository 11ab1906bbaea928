"""Windows events exported as XML (Event Viewer "Save as XML", `wevtutil qe /f:xml`) -> event rows via the tables."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import polars as pl

from parsers.base import ParseContext, Source, decode_text
from parsers.code.winevent_json import parse_system_time
from parsers.code.winevent_map import RAW_CHARS, normalized_frame, to_events

NS = "http://schemas.microsoft.com/win/2004/08/events/event"
_E = "{" + NS + "}"
BATCH_EVENTS = 50_000
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_SNIFF = re.compile(r"<Event\s+xmlns=['\"]" + re.escape(NS))
_COLUMNS = ("_order", "record", "record_id", "timestamp_text", "channel", "provider", "event_code", "level",
            "keywords", "computer", "user_sid", "sys_pid", "data", "raw", "text")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: ET.Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def event_data(event: ET.Element) -> dict | None:
    """EventData/UserData in the JSON shape the evtx crate writes, so one set of tables reads both."""
    data = event.find(_E + "EventData")
    if data is not None:
        named: dict = {}
        unnamed: list = []
        for child in data:
            name = child.get("Name")
            if _local(child.tag) == "Data" and name is not None:
                named[name] = child.text or ""
            elif _local(child.tag) == "Data":
                unnamed.append(child.text or "")
            else:
                named[_local(child.tag)] = child.text or ""
        if unnamed:
            named["Data"] = {"#text": unnamed if len(unnamed) > 1 else unnamed[0]}
        return named or None
    user = event.find(_E + "UserData")
    if user is not None and len(user):
        inner = user[0]
        return {_local(inner.tag): {_local(c.tag): c.text or "" for c in inner}}
    return None


def _compact(event: ET.Element) -> str:
    for element in event.iter():
        if element.tail is not None and not element.tail.strip():
            element.tail = None
        if len(element) and element.text is not None and not element.text.strip():
            element.text = None
    text = ET.tostring(event, encoding="unicode")
    return text.replace("ns0:", "").replace(":ns0", "")[:RAW_CHARS]


def row(event: ET.Element, order: int) -> dict:
    system = event.find(_E + "System")
    find = (lambda name: system.find(_E + name)) if system is not None else (lambda name: None)
    provider = find("Provider")
    created = find("TimeCreated")
    execution = find("Execution")
    security = find("Security")
    rendering = event.find(_E + "RenderingInfo")
    data = event_data(event)
    return {
        "_order": order,
        "record": _int(_text(find("EventRecordID"))),
        "record_id": _int(_text(find("EventRecordID"))),
        "timestamp_text": created.get("SystemTime") if created is not None else None,
        "channel": _text(find("Channel")),
        "provider": (provider.get("Name") or provider.get("EventSourceName")) if provider is not None else None,
        "event_code": (_text(find("EventID")) or "").strip() or None,
        "level": _int(_text(find("Level"))),
        "keywords": _text(find("Keywords")),
        "computer": _text(find("Computer")),
        "user_sid": security.get("UserID") if security is not None else None,
        "sys_pid": _int(execution.get("ProcessID")) if execution is not None else None,
        "data": json.dumps(data, ensure_ascii=False, separators=(",", ":")) if data is not None else None,
        "raw": _compact(event),
        "text": _text(rendering.find(_E + "Message")) if rendering is not None else None,
    }


class EvtxXmlParser:
    name = "evtx_xml"

    def sniff(self, source: Source, head: bytes) -> float:
        text = decode_text(head[:65536])
        if _SNIFF.search(text):
            return 0.95
        return 0.0

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        text = _DECLARATION.sub("", decode_text(source.read_bytes()), count=1).lstrip()
        parser = ET.XMLPullParser(events=("end",))
        if not text.startswith("<Events"):
            parser.feed("<Events>")  # wevtutil writes bare <Event> elements, one after another
            text += "</Events>"
        rows: list[dict] = []
        order = 0
        position = 0
        step = 1 << 20
        try:
            while position < len(text):
                parser.feed(text[position:position + step])
                position += step
                for _, element in parser.read_events():
                    if element.tag != _E + "Event":
                        continue
                    ctx.units += 1
                    rows.append(row(element, order))
                    order += 1
                    element.clear()
                if len(rows) >= BATCH_EVENTS:
                    yield from self._frame(rows, ctx)
                    rows = []
            parser.close()
        except ET.ParseError as err:
            line = err.position[0] if err.position else None
            ctx.units += 1
            ctx.add_unparsed(line, f"XML not well-formed, rest of the file not read: {err}", "")
            ctx.warn(f"{ctx.source_file}: XML not well-formed at line {line}; events after it are not read")
        if rows:
            yield from self._frame(rows, ctx)

    def _frame(self, rows: list[dict], ctx: ParseContext) -> Iterator[pl.DataFrame]:
        good = []
        for item in rows:
            if item["event_code"] is None or item["timestamp_text"] is None:
                ctx.add_unparsed(None, "Event without EventID or TimeCreated", item["raw"],
                                 record=str(item["record"]) if item["record"] is not None else None)
            else:
                good.append(item)
        if not good:
            return
        columns = {name: [item[name] for item in good] for name in _COLUMNS}
        times = pl.Series(columns.pop("timestamp_text"), dtype=pl.String)
        stamps = pl.select(parse_system_time(pl.lit(times))).to_series()
        frame = normalized_frame({**columns, "quality": ["exact"] * len(good)})
        frame = frame.with_columns(stamps.alias("timestamp"))
        bad = frame.filter(pl.col("timestamp").is_null())
        for record, raw in bad.select("record", "raw").iter_rows():
            ctx.add_unparsed(None, "TimeCreated/@SystemTime is not an ISO 8601 UTC time", raw,
                             record=str(record) if record is not None else None)
        frame = frame.filter(pl.col("timestamp").is_not_null())
        if frame.height:
            missing = frame.filter(pl.col("record").is_null())
            if missing.height:
                ctx.warn(f"{ctx.source_file}: {missing.height} event(s) without EventRecordID; cited by position")
                frame = frame.with_columns(pl.coalesce(pl.col("event_key"), pl.when(pl.col("record").is_null())
                                           .then(pl.lit("pos") + pl.col("_order").cast(pl.String))).alias("event_key"))
            yield to_events(frame, ctx, self.name)
