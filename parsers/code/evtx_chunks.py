"""EVTX file layout (file header, 64 KiB chunks, record headers) walked before the evtx crate reads records.

The evtx crate silently drops a chunk it cannot read (a truncated last chunk, a bad header);
walking the layout ourselves tells which records each chunk holds, so every record the file
claims is either an event or an unparsed entry naming its chunk and record id.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

FILE_MAGIC = b"ElfFile\x00"
CHUNK_MAGIC = b"ElfChnk\x00"
RECORD_MAGIC = 0x00002A2A
HEADER_BLOCK = 4096
CHUNK_SIZE = 65536
CHUNK_HEADER = 512
_RECORD_HEAD = struct.Struct("<IIQ")  # magic, size, record id
_ZERO_CHUNK = bytes(CHUNK_SIZE)


@dataclass
class Chunk:
    """One chunk slot of the file: its bytes (zero-padded when cut short) and what it holds."""

    index: int
    offset: int
    data: bytes
    available: int
    readable: bool = True  # has a chunk header the crate can use
    first_id: int | None = None
    last_id: int | None = None
    records: list[int] = field(default_factory=list)  # ids of records wholly inside the bytes
    cut_off: list[int] = field(default_factory=list)  # ids of records running past the end
    problems: list[str] = field(default_factory=list)

    def expected(self) -> list[int]:
        """Record ids the chunk should yield: walked ones, plus its header's id range when sane."""
        ids = set(self.records)
        if self.first_id is not None and self.last_id is not None and 0 <= self.last_id - self.first_id < 4096:
            ids.update(range(self.first_id, self.last_id + 1))
        return sorted(ids - set(self.cut_off))

    def id_range(self) -> str:
        ids = self.records + self.cut_off
        first = self.first_id if self.first_id is not None else (min(ids) if ids else None)
        last = self.last_id if self.last_id is not None else (max(ids) if ids else None)
        return f"records {first}-{last}" if first is not None else "records unknown"


def _walk_records(chunk: Chunk, limit: int) -> None:
    position = CHUNK_HEADER
    while position + _RECORD_HEAD.size <= limit:
        magic, size, record_id = _RECORD_HEAD.unpack_from(chunk.data, position)
        if magic != RECORD_MAGIC or size < 28 or position + size > CHUNK_SIZE:
            break
        if position + size > chunk.available:
            chunk.cut_off.append(record_id)
            break
        chunk.records.append(record_id)
        position += size


def read_chunk(index: int, offset: int, raw: bytes) -> Chunk | None:
    """A chunk slot's bytes -> Chunk; None for never-used (all zero) slots."""
    available = len(raw)
    if raw == _ZERO_CHUNK[:available]:
        return None
    data = raw if available == CHUNK_SIZE else raw + bytes(CHUNK_SIZE - available)
    chunk = Chunk(index, offset, data, available)
    if available < CHUNK_SIZE:
        chunk.problems.append(f"truncated: {available} of {CHUNK_SIZE} bytes present")
    if not data.startswith(CHUNK_MAGIC):
        chunk.readable = False
        chunk.problems.append("bad chunk header magic")
        _walk_records(chunk, CHUNK_SIZE)
        return chunk
    first_id, last_id = struct.unpack_from("<QQ", data, 24)
    free_offset, data_crc = struct.unpack_from("<II", data, 48)
    header_crc = struct.unpack_from("<I", data, 124)[0]
    if zlib.crc32(data[:120] + data[128:CHUNK_HEADER]) != header_crc:
        chunk.problems.append("chunk header checksum mismatch")
    else:
        chunk.first_id, chunk.last_id = first_id, last_id
    limit = free_offset if CHUNK_HEADER <= free_offset <= CHUNK_SIZE else CHUNK_SIZE
    if available == CHUNK_SIZE and zlib.crc32(data[CHUNK_HEADER:limit]) != data_crc:
        chunk.problems.append("record data checksum mismatch")
    _walk_records(chunk, limit)
    return chunk


def iter_chunks(handle: BinaryIO) -> Iterator[Chunk]:
    """Chunks after the 4 KiB file header, in file order; the caller has checked the header."""
    handle.seek(HEADER_BLOCK)
    index = 0
    while True:
        raw = handle.read(CHUNK_SIZE)
        if not raw:
            return
        chunk = read_chunk(index, HEADER_BLOCK + index * CHUNK_SIZE, raw)
        if chunk is not None:
            yield chunk
        index += 1


def stream_header(header: bytes, chunk_count: int) -> bytes:
    """The file header rewritten for a stream of `chunk_count` chunks (the crate trusts the count)."""
    block = bytearray(header[:HEADER_BLOCK].ljust(HEADER_BLOCK, b"\x00"))
    struct.pack_into("<QQ", block, 8, 0, max(chunk_count - 1, 0))
    struct.pack_into("<H", block, 42, chunk_count)
    struct.pack_into("<I", block, 124, zlib.crc32(bytes(block[:120])))
    return bytes(block)
