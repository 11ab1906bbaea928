"""Binary EVTX files -> event rows: chunks walked here, records read by the evtx crate (Rust), mapped in bulk."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import evtx as evtx_crate
import polars as pl

from parsers.base import ParseContext, Source
from parsers.code import evtx_chunks as layout
from parsers.code.winevent_json import frame_from_json
from parsers.code.winevent_map import to_events

# Records per frame: big enough to amortise the polars passes, small enough for memory.
BATCH_RECORDS = 100_000
_RECORD_IN_ERROR = re.compile(r"record number (\d+)")
_CHUNK_IN_ERROR = re.compile(r"chunk number (\d+)")


class EvtxParser:
    name = "evtx"

    def sniff(self, source: Source, head: bytes) -> float:
        return 1.0 if head.startswith(layout.FILE_MAGIC) else 0.0

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        with source.open() as handle:
            header = handle.read(layout.HEADER_BLOCK)
            if not header.startswith(layout.FILE_MAGIC):
                ctx.units += 1
                ctx.add_unparsed(None, "not an EVTX file (no ElfFile header)", header[:80].hex())
                return
            order = 0
            batch: list[layout.Chunk] = []
            pending = 0
            for chunk in layout.iter_chunks(handle):
                batch.append(chunk)
                pending += len(chunk.records) + len(chunk.cut_off)
                if pending >= BATCH_RECORDS:
                    frame = self._read_batch(header, batch, ctx, order)
                    if frame is not None:
                        order += frame.height
                        yield frame
                    batch, pending = [], 0
            if batch:
                frame = self._read_batch(header, batch, ctx, order)
                if frame is not None:
                    yield frame

    def _read_batch(self, header: bytes, chunks: list[layout.Chunk], ctx: ParseContext,
                    first_order: int) -> pl.DataFrame | None:
        readable = [c for c in chunks if c.readable]
        records: list[int] = []
        jsons: list[str] = []
        times: list[str] = []
        errors: dict[int, str] = {}
        chunk_errors: dict[int, str] = {}
        if readable:
            stream = io.BytesIO(layout.stream_header(header, len(readable)) + b"".join(c.data for c in readable))
            iterator = evtx_crate.PyEvtxParser(stream, number_of_threads=1).records_json()
            while True:
                try:
                    item = next(iterator)
                except StopIteration:
                    break
                except Exception as err:  # the crate raises per broken record and goes on
                    text = str(err)
                    if match := _RECORD_IN_ERROR.search(text):
                        errors[int(match.group(1))] = text
                    elif match := _CHUNK_IN_ERROR.search(text):
                        position = int(match.group(1))
                        if position < len(readable):
                            chunk_errors[readable[position].index] = text
                    continue
                records.append(item.get("event_record_id", item.get("record_number")))
                jsons.append(item["data"])
                times.append(item["timestamp"])
        keep = self._account(chunks, records, errors, chunk_errors, ctx)
        if not any(keep):
            return None
        if not all(keep):
            records = [r for r, k in zip(records, keep) if k]
            jsons = [j for j, k in zip(jsons, keep) if k]
            times = [t for t, k in zip(times, keep) if k]
        normalized = frame_from_json(records, jsons, times, first_order)
        missing_time = normalized.filter(pl.col("timestamp").is_null())
        for record, raw in missing_time.select("record", "raw").iter_rows():
            ctx.add_unparsed(None, "record has no usable TimeCreated", raw, record=str(record))
        normalized = normalized.filter(pl.col("timestamp").is_not_null())
        return to_events(normalized, ctx, self.name)

    def _account(self, chunks: list[layout.Chunk], records: list[int], errors: dict[int, str],
                 chunk_errors: dict[int, str], ctx: ParseContext) -> list[bool]:
        """Units, unparsed records and per-chunk warnings for one batch; which read records to keep."""
        read = set(records)
        cut_off = {rid for c in chunks for rid in c.cut_off}
        keep = [rid not in cut_off for rid in records]
        ctx.units += len(records)
        accounted = set(read)
        for chunk in chunks:
            lost = 0
            for record_id in chunk.cut_off:
                if record_id not in read:
                    ctx.units += 1
                accounted.add(record_id)
                ctx.add_unparsed(None, f"chunk {chunk.index}: record cut off by the end of the file",
                                 "", record=str(record_id))
                lost += 1
            for record_id in chunk.expected():
                if record_id in accounted:
                    continue
                accounted.add(record_id)
                ctx.units += 1
                reason = errors.get(record_id) or chunk_errors.get(chunk.index) or "; ".join(chunk.problems)
                ctx.add_unparsed(None, f"chunk {chunk.index}: {reason or 'record not readable'}", "",
                                 record=str(record_id))
                lost += 1
            if not chunk.expected() and not chunk.cut_off and (chunk.problems or chunk.index in chunk_errors):
                ctx.units += 1
                reason = chunk_errors.get(chunk.index) or "; ".join(chunk.problems)
                ctx.add_unparsed(None, f"chunk {chunk.index} at offset {chunk.offset}: {reason}", "",
                                 record=f"chunk {chunk.index}")
                lost += 1
            if lost or chunk.problems:
                problems = "; ".join(chunk.problems) or chunk_errors.get(chunk.index, "read errors")
                ctx.warn(f"{ctx.source_file}: chunk {chunk.index} ({chunk.id_range()}): {problems}; "
                         f"{lost} record(s) unreadable, skipped")
        for record_id, text in sorted(errors.items()):
            if record_id not in accounted:  # a broken record the layout walk did not see
                ctx.units += 1
                ctx.add_unparsed(None, text, "", record=str(record_id))
                ctx.warn(f"{ctx.source_file}: record {record_id}: {text}")
        return keep
