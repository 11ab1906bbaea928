"""What every parser receives (a source and a context) and what it reports besides events."""

from __future__ import annotations

import bz2
import io
import lzma
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Callable, Protocol

import polars as pl

EXCERPT_CHARS = 80
# Detail kept per file for unparsed lines; all of them are still counted.
MAX_UNPARSED_DETAILS = 1000

_MAGIC = {b"\x1f\x8b": "gz", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz"}
_DECOMPRESSORS = {
    "gz": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
    "bz2": bz2.BZ2Decompressor,
    "xz": lzma.LZMADecompressor,
}
_BROKEN = (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError)


class _Decompressed(io.RawIOBase):
    """A compressed file's bytes as far as they can be read. A copy cut short (a full disk,
    an interrupted upload) or damaged midway ends where it breaks instead of raising, so
    that every line before the break is still read; what happened goes to `notes`.
    Concatenated streams (several gzip members) are read one after the other."""

    def __init__(self, path: Path, kind: str, name: str, notes: list[str]) -> None:
        super().__init__()
        self._file = open(path, "rb")
        self._kind, self._name, self._notes = kind, name, notes
        self._decompressor = _DECOMPRESSORS[kind]()
        self._out = b""
        self._at = 0
        self._done = False
        self._given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._at >= len(self._out) and not self._done:
            self._out, self._at = self._more(), 0
        count = min(len(buffer), len(self._out) - self._at)
        buffer[:count] = memoryview(self._out)[self._at:self._at + count]
        self._at += count
        self._given += count
        return count

    def _more(self) -> bytes:
        block = self._file.read(1024 * 1024)
        if not block:
            self._done = True
            if not self._decompressor.eof:
                self._note("ends before its end-of-stream marker: the copy is cut short", self._given)
            return b""
        saved = self._decompressor.copy() if hasattr(self._decompressor, "copy") else None
        try:
            return self._decompress(block)
        except _BROKEN as err:
            self._done = True
            salvaged = b""
            if saved is not None:
                # read the block again in small steps from before it: what precedes the damage
                self._decompressor, pieces = saved, []
                for start in range(0, len(block), 4096):
                    try:
                        pieces.append(self._decompress(block[start:start + 4096]))
                    except _BROKEN:
                        break
                salvaged = b"".join(pieces)
            self._note(f"is damaged ({err}); the text just before the damage was found may be garbled",
                       self._given + len(salvaged))
            return salvaged

    def _decompress(self, block: bytes) -> bytes:
        out = self._decompressor.decompress(block)
        while self._decompressor.eof and self._decompressor.unused_data:
            rest = self._decompressor.unused_data
            if not rest.strip(b"\x00"):  # zero padding after the last stream
                break
            self._decompressor = _DECOMPRESSORS[self._kind]()
            out += self._decompressor.decompress(rest)
        return out

    def _note(self, what: str, read: int) -> None:
        note = f"{self._name}: compressed data {what}; {read:,} bytes were read, what follows is lost"
        if note not in self._notes:
            self._notes.append(note)

    def close(self) -> None:
        self._file.close()
        super().close()


def sniff_compression(path: Path) -> str | None:
    """Compression by magic bytes, never by name: a .gz name on plain text is plain text."""
    with open(path, "rb") as handle:
        head = handle.read(6)
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


@dataclass(frozen=True)
class Source:
    """One input file of a case: where its bytes are and what the case calls it."""

    path: Path
    name: str
    compression: str | None = None
    # what reading found wrong with the file (compressed data cut short): for the summary
    notes: list[str] = field(default_factory=list, compare=False, hash=False, repr=False)

    def open(self) -> BinaryIO:
        """The decompressed bytes, read-only (a damaged compressed file: up to the damage,
        noted in `notes`)."""
        if self.compression:
            return io.BufferedReader(_Decompressed(self.path, self.compression, self.name, self.notes))
        return open(self.path, "rb")

    def head(self, size: int = 65536) -> bytes:
        with self.open() as handle:
            try:
                return handle.read(size)
            except OSError:  # compressed data never raises here: it ends where it breaks
                return b""

    def tail(self, size: int = 65536) -> bytes:
        """The last bytes, starting on a line boundary (whole file when small or compressed)."""
        if self.compression:
            with self.open() as handle:
                window = b""
                for block in iter(lambda: handle.read(1024 * 1024), b""):
                    window = (window + block)[-size:]
        else:
            with open(self.path, "rb") as handle:
                handle.seek(0, 2)
                end = handle.tell()
                handle.seek(max(0, end - size))
                window = handle.read()
                if end <= size:
                    return window
        cut = window.find(b"\n")
        return window[cut + 1:] if cut >= 0 else window

    def read_bytes(self) -> bytes:
        with self.open() as handle:
            return handle.read()

    def stem_name(self) -> str:
        """The file name without compression and rotation suffixes: syslog.2.gz -> syslog."""
        name = Path(self.name).name
        for suffix in (".gz", ".bz2", ".xz"):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
        parts = name.split(".")
        while len(parts) > 1 and parts[-1].isdigit():
            parts.pop()
        return ".".join(parts)

    def materialize(self, workdir: Path) -> Path:
        """A real, uncompressed file with these bytes (for SQLite, EVTX): the original
        when it is not compressed, else a decompressed copy in workdir. Never the input
        itself when a tool could write to it: callers that open databases copy first."""
        if not self.compression:
            return self.path
        target = Path(tempfile.mkdtemp(dir=workdir)) / Path(self.stem_name()).name
        with self.open() as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
        return target


@dataclass(frozen=True)
class Unparsed:
    """A line or record that became no event, and why."""

    source_file: str
    line: int | None
    record: str | None
    reason: str
    excerpt: str


@dataclass
class ParseContext:
    """What a parser knows besides the bytes, and where it writes what it noticed."""

    source_file: str
    sha256: str
    tz: str = "UTC"
    reference_time: datetime | None = None
    # what reference_time is, said with it, for the assumption a year-less format records
    reference_label: str | None = None
    workdir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()))
    chunk_bytes: int = 8 * 1024 * 1024
    unparsed: list[Unparsed] = field(default_factory=list)
    unparsed_count: int = 0
    warnings: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    year_anchor: int | None = None  # year of the first line of a year-less file, when known
    # called with a count of input bytes read, for progress on long files
    on_bytes: Callable[[int], None] | None = None
    units: int = 0  # lines (text) or records (binary) seen, for the accounting check

    @property
    def id_prefix(self) -> str:
        return self.sha256[:8]

    def add_unparsed(self, line: int | None, reason: str, text: str, record: str | None = None) -> None:
        self.unparsed_count += 1
        if len(self.unparsed) < MAX_UNPARSED_DETAILS:
            self.unparsed.append(Unparsed(self.source_file, line, record, reason, text[:EXCERPT_CHARS]))

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def assume(self, message: str) -> None:
        if message not in self.assumptions:
            self.assumptions.append(message)


def provenance(ctx: "ParseContext", source_format: str, key: str = "source_line") -> list[pl.Expr]:
    """The columns that say where an event comes from: its format, its file, and the id that
    findings cite (`<first 8 of sha256>:<key>`, key being the line or record column)."""
    return [
        pl.lit(source_format).alias("source_format"),
        pl.lit(ctx.source_file).alias("source_file"),
        (pl.lit(ctx.id_prefix + ":") + pl.col(key).cast(pl.String)).alias("event_id"),
    ]


class RestartParse(Exception):
    """A parser learnt something at the end of a file that changes what it already yielded
    (e.g. the year of a year-less log); the caller drops those frames and parses again with
    the hints set on the context."""

    def __init__(self, reason: str, **hints) -> None:
        super().__init__(reason)
        self.hints = hints


def parse_all(parser: "Parser", source: Source, ctx: "ParseContext") -> list[pl.DataFrame]:
    """Every frame of a source, restarting once when the parser asks to."""
    for attempt in range(2):
        start = (ctx.units, ctx.unparsed_count, len(ctx.unparsed))
        try:
            return list(parser.parse(source, ctx))
        except RestartParse as restart:
            if attempt:
                raise
            ctx.units, ctx.unparsed_count = start[0], start[1]
            del ctx.unparsed[start[2]:]
            for key, value in restart.hints.items():
                setattr(ctx, key, value)
    raise AssertionError("unreachable")


class Parser(Protocol):
    """A format: says how sure it is that a source is its kind, and turns it into events.

    parse() yields frames already conformed to the event schema (parsers.schema.conform);
    it counts what it read in ctx.units and reports every line or record it could not use
    through ctx.add_unparsed, so that events + unparsed = units for every input.
    """

    name: str

    def sniff(self, source: Source, head: bytes) -> float: ...

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]: ...


def decode_text(data: bytes) -> str:
    """Bytes of a text log as str: BOMs honoured (UTF-8, UTF-16), bad bytes replaced."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def iter_text_chunks(source: Source, chunk_bytes: int,
                     on_bytes: Callable[[int], None] | None = None) -> Iterator[str]:
    """The source's text in chunks that end on a line boundary; on_bytes hears of each block."""
    with source.open() as raw:
        first = raw.read(4)
        if first.startswith((b"\xff\xfe", b"\xfe\xff")):
            # UTF-16 is rare and small in practice (PowerShell exports): decode whole.
            yield decode_text(first + raw.read())
            return
        if first.startswith(b"\xef\xbb\xbf"):
            first = first[3:]
        reader = io.BufferedReader(raw) if not isinstance(raw, io.BufferedReader) else raw
        carry = first
        while True:
            block = reader.read(chunk_bytes)
            if not block:
                break
            if on_bytes is not None:
                on_bytes(len(block))
            data = carry + block
            cut = data.rfind(b"\n")
            if cut < 0:
                carry = data
                continue
            carry = data[cut + 1:]
            yield data[: cut + 1].decode("utf-8", errors="replace")
        if carry:
            yield carry.decode("utf-8", errors="replace")
