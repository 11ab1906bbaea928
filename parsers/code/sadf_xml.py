"""`sadf -x` XML exports of sysstat data (as sosreport collects them) -> metric_sample, boot and comment events.

Layout (sysstat DTD/XSD, checked against sadf 12.6 output): <sysstat><host nodename=...>
<statistics><timestamp date="2026-11-22" time="10:00:01" utc="1" interval="60"> holding one
element per activity: attributes (<cpu number="all" usr=... idle=.../>, <queue ldavg-1=.../>,
<disk-device dev="sda" aqu-sz=.../>) or leaf elements (<memory><memused-percent>..).
Then <restarts><boot .../></restarts> and <comments><comment com=.../></comments>.

Values become sar-style counters so that parsers/code/perf_rows.py normalizes them as for
`sar` and `sadf -d`: cpu-load attributes take a "%" (idle -> %idle), "<x>-percent" becomes
"%<x>" (memused-percent -> %memused), other names stay (ldavg-1, aqu-sz, await). Identifying
attributes (number, dev, iface, ...) and text attributes name the instance.

Read with xml.parsers.expat, the streaming parser under ElementTree's iterparse, fed in
chunks so big files stream, because it also gives each element's line: every event cites the
line of its <timestamp> (or <boot>, <comment>). A document that ends early (truncated file)
keeps what was read and says where it stopped.

Accounting: units are <timestamp>, <boot> and <comment> elements. A timestamp gives one event
per value (event id `<line>:<counter>[:<instance>]`), so events + unparsed == units holds over
distinct source lines; a timestamp with an unreadable date or no value is unparsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from xml.parsers import expat

import polars as pl

from parsers.base import ParseContext, Source, decode_text
from parsers.code.perf_rows import SampleBuffer, as_number, sample_events

READ_BYTES = 1024 * 1024
BATCH_SAMPLES = 200_000
# attributes that say which CPU, device, interface ... a value is about, never a value
ID_ATTRS = frozenset({"number", "cpu", "dev", "iface", "intr", "fsname", "mountpoint", "line", "bus_nr",
                      "bus_number", "idvendor", "idprod", "idprodt", "manufact", "product", "name"})
IGNORED_ATTRS = frozenset({"per", "unit"})
# the older name of a value also written under its current name in the same element
SUPERSEDED = {"avgqu-sz": "aqu-sz", "avgrq-sz": "areq-sz"}
_SNIFF = re.compile(r"<sysstat[\s>]")
_SNIFF_BODY = re.compile(r"<(?:sysdata-version|host\s+nodename|statistics)\b")


def counter_name(name: str, element: str, parent: str | None) -> str:
    if parent in ("cpu-load", "cpu-load-all") and element == "cpu":
        return "%" + name
    if name.endswith("-percent"):
        return "%" + name[: -len("-percent")]
    if name.startswith("percent-"):  # percent-in, percent-temp (sar's %in, %temp)
        return "%" + name[len("percent-"):]
    return name


def read_time(attrs: dict) -> tuple[datetime | None, bool]:
    """(time, is_utc) of a timestamp, boot or comment element."""
    try:
        when = datetime.fromisoformat(f"{attrs.get('date', '')} {attrs.get('time', '')}")
    except ValueError:
        return None, False
    if when.tzinfo is not None:
        return None, False
    is_utc = attrs.get("utc", "1") == "1"
    return (when.replace(tzinfo=timezone.utc) if is_utc else when), is_utc


def element_text(tag: str, attrs: dict, text: str | None = None) -> str:
    body = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f"<{tag}{body}>{text}</{tag}>" if text is not None else f"<{tag}{body}/>"


class _Reader:
    """expat callbacks: collect samples into the UTC and local buffers of the context."""

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.utc, self.local = SampleBuffer(), SampleBuffer()
        self.host: str | None = None
        self.stack: list[list] = []  # [tag, attrs, line, has_children, text parts]
        self.stamp: dict | None = None  # the open <timestamp>
        self.parser = expat.ParserCreate()
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text

    def start(self, tag: str, attrs: dict) -> None:
        line = self.parser.CurrentLineNumber
        if self.stack:
            self.stack[-1][3] = True
        parent = self.stack[-1][0] if self.stack else None
        self.stack.append([tag, attrs, line, False, []])
        if tag == "host":
            self.host = attrs.get("nodename") or self.host
        elif tag == "timestamp":
            self.ctx.units += 1
            when, is_utc = read_time(attrs)
            self.stamp = {"line": line, "when": when, "utc": is_utc, "raw": element_text(tag, attrs),
                          "values": [], "seen": set()}
        elif self.stamp is not None:
            self._attr_values(tag, parent, attrs, line)
        elif tag in ("boot", "comment") and parent in ("restarts", "comments"):
            self._marker(tag, attrs, line)

    def _attr_values(self, tag: str, parent: str | None, attrs: dict, line: int) -> None:
        numbers = {k: as_number(v) for k, v in attrs.items() if k not in ID_ATTRS | IGNORED_ATTRS}
        instance = "/".join(v for k, v in attrs.items()
                            if v and k not in IGNORED_ATTRS and (k in ID_ATTRS or numbers.get(k) is None)) or None
        raw = element_text(tag, attrs)
        for name, value in numbers.items():
            if value is None or SUPERSEDED.get(name) in numbers:
                continue
            counter = tag if name == "value" else counter_name(name, tag, parent)
            self._value(counter, instance, value, raw)

    def _value(self, counter: str, instance: str | None, value: float, raw: str) -> None:
        stamp = self.stamp
        record = f"{stamp['line']}:{counter}" + (f":{instance}" if instance else "")
        if record in stamp["seen"]:
            record += f"#{len(stamp['seen'])}"
        stamp["seen"].add(record)
        stamp["values"].append((record, counter, instance, value, raw))

    def text(self, data: str) -> None:
        if self.stack:
            self.stack[-1][4].append(data)

    def end(self, tag: str) -> None:
        _, attrs, _, has_children, parts = self.stack.pop()
        if tag == "timestamp":
            self._close_stamp()
        elif self.stamp is not None and not has_children and not attrs:
            value = as_number("".join(parts).strip())
            if value is not None:
                parent = self.stack[-1][0] if self.stack else None
                self._value(counter_name(tag, tag, parent), None, value, element_text(tag, attrs, "".join(parts).strip()))

    def _close_stamp(self) -> None:
        stamp, self.stamp = self.stamp, None
        if stamp["when"] is None:
            self.ctx.add_unparsed(stamp["line"], "timestamp element without a readable date and time", stamp["raw"])
            return
        if not stamp["values"]:
            self.ctx.add_unparsed(stamp["line"], "timestamp element with no numeric value", stamp["raw"])
            return
        buffer = self.utc if stamp["utc"] else self.local
        for record, counter, instance, value, raw in stamp["values"]:
            buffer.add(stamp["line"], record, stamp["when"], counter, instance, value, self.host, raw)

    def _marker(self, tag: str, attrs: dict, line: int) -> None:
        self.ctx.units += 1
        raw = element_text(tag, attrs)
        when, is_utc = read_time(attrs)
        if when is None:
            self.ctx.add_unparsed(line, f"{tag} element without a readable date and time", raw)
            return
        buffer = self.utc if is_utc else self.local
        if tag == "boot":
            cpus = attrs.get("cpu_count")
            buffer.add(line, f"{line}:restart", when, None, None, None, self.host, raw, action="boot",
                       message=f"LINUX RESTART ({cpus} CPU)" if cpus else "LINUX RESTART")
        else:
            buffer.add(line, f"{line}:comment", when, None, None, None, self.host, raw,
                       action="log_line", message=attrs.get("com", ""))

    def close_open_stamp(self) -> None:
        """A document cut inside a <timestamp>: keep the values read so far."""
        if self.stamp is not None:
            self._close_stamp()


class SadfXmlParser:
    name = "sadf_xml"

    def sniff(self, source: Source, head: bytes) -> float:
        text = decode_text(head[:8192])
        return 0.95 if _SNIFF.search(text) and _SNIFF_BODY.search(text) else 0.0

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        reader = _Reader(ctx)
        try:
            with source.open() as handle:
                for block in iter(lambda: handle.read(READ_BYTES), b""):
                    reader.parser.Parse(block, False)
                    if len(reader.utc) + len(reader.local) >= BATCH_SAMPLES:
                        yield from self._frames(reader, ctx)
                reader.parser.Parse(b"", True)
        except expat.ExpatError as err:
            reader.close_open_stamp()
            ctx.warn(f"{ctx.source_file}: the XML ends early or is damaged at line {err.lineno} "
                     f"({expat.ErrorString(err.code)}); kept what was read before it")
        yield from self._frames(reader, ctx)

    def _frames(self, reader: _Reader, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        if len(reader.utc):
            yield sample_events(reader.utc.columns, ctx, self.name, "sar.", None)
            reader.utc = SampleBuffer()
        if len(reader.local):
            ctx.assume(f"{ctx.source_file}: sadf local times (utc=\"0\") carry no zone; read as {ctx.tz}")
            yield sample_events(reader.local.columns, ctx, self.name, "sar.", ctx.tz)
            reader.local = SampleBuffer()
