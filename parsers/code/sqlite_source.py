"""SQLite inputs (browser history): a private read-only copy, its table names, and rows read defensively."""

from __future__ import annotations

import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from parsers.base import ParseContext, Source

SQLITE_MAGIC = b"SQLite format 3\x00"
# Files SQLite keeps next to a database: uncommitted pages live in the -wal or -journal.
COMPANIONS = ("-wal", "-journal")
FETCH_ROWS = 10_000
# How far into a damaged database to look for its schema's CREATE TABLE texts.
SCHEMA_SCAN_BYTES = 16 * 1024 * 1024
FETCH_BYTES = 1024 * 1024
_CREATE_TABLE = re.compile(rb'CREATE TABLE (?:IF NOT EXISTS )?["`\[]?([A-Za-z_][A-Za-z0-9_]*)')


def private_copy(source: Source, workdir: Path) -> Path:
    """The database and its -wal/-journal copied into a fresh folder of workdir.

    SQLite may write to a database it opens (recovering a journal, creating -shm), and a
    browser may hold a lock on it; a copy keeps the evidence untouched and readable."""
    folder = Path(tempfile.mkdtemp(prefix="sqlite-", dir=workdir))
    target = folder / Path(source.stem_name()).name
    if source.compression:
        with source.open() as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
        return target
    shutil.copyfile(source.path, target)
    for suffix in COMPANIONS:
        companion = source.path.with_name(source.path.name + suffix)
        if companion.is_file():
            shutil.copyfile(companion, folder / (target.name + suffix))
    return target


def _damage(path: Path) -> str | None:
    """Why the file looks truncated or damaged, or None when it looks whole."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        header = handle.read(100)
    if len(header) < 100:
        return f"only {size} bytes"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size and size % page_size:
        return f"{size} bytes is not a whole number of {page_size}-byte pages"
    # the header's page count is current only when its version stamp matches (SQLite >= 3.7)
    if header[92:96] == header[24:28]:
        declared = page_size * int.from_bytes(header[28:32], "big")
        if declared > size:
            return f"{size} of {declared} bytes present"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute("SELECT name FROM sqlite_master").fetchall()
    except sqlite3.DatabaseError as err:
        return str(err)
    finally:
        conn.close()
    return None


def open_readonly(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    conn.text_factory = lambda data: data.decode("utf-8", errors="replace")
    # A truncated file has schema entries whose root page lies past its end, and SQLite then
    # refuses every table; with this (read-only) setting it reads the tables that survived.
    conn.execute("PRAGMA writable_schema = ON")
    return conn


def open_copy(source: Source, ctx: ParseContext) -> sqlite3.Connection:
    """A read-only connection to a private copy of the source; a damaged copy is said so
    once here, and each table that cannot be read says so when it is fetched."""
    copy = private_copy(source, ctx.workdir)
    damage = _damage(copy)
    conn = open_readonly(copy)
    if damage:
        ctx.warn(f"{ctx.source_file}: SQLite database damaged or truncated ({damage}); "
                 "rows on missing pages are lost")
    return conn


@lru_cache(maxsize=64)
def _tables_cached(path: str, size: int, mtime_ns: int, compression: str | None) -> frozenset[str]:
    source = Source(Path(path), Path(path).name, compression)
    with tempfile.TemporaryDirectory(prefix="sniff-") as tmp:
        conn = open_readonly(private_copy(source, Path(tmp)))
        try:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        except sqlite3.DatabaseError:
            return frozenset()
        finally:
            conn.close()
    return frozenset(str(name).lower() for (name,) in rows)


@lru_cache(maxsize=64)
def _tables_in_bytes(path: str, size: int, mtime_ns: int, compression: str | None) -> frozenset[str]:
    """Table names from the CREATE TABLE texts of the schema pages, for a database whose
    schema SQLite refuses (a truncated copy): enough to know which format it was."""
    names: set[str] = set()
    carry = b""
    with Source(Path(path), Path(path).name, compression).open() as handle:
        for _ in range(SCHEMA_SCAN_BYTES // FETCH_BYTES):
            block = handle.read(FETCH_BYTES)
            if not block:
                break
            data = carry + block
            names.update(m.group(1).decode("ascii").lower() for m in _CREATE_TABLE.finditer(data))
            carry = data[-256:]
    return frozenset(names)


def table_names(source: Source, head: bytes) -> frozenset[str]:
    """Tables of a SQLite source (empty when it is not SQLite); cached so that the four
    browser sniffers copy a database once. A damaged database is named by the CREATE TABLE
    texts still in its bytes, so that its parser runs and reports the damage."""
    if not head.startswith(SQLITE_MAGIC):
        return frozenset()
    stat = source.path.stat()
    key = (str(source.path), stat.st_size, stat.st_mtime_ns, source.compression)
    return _tables_cached(*key) or _tables_in_bytes(*key)


def sniff_tables(source: Source, head: bytes, required: Iterable[str]) -> float:
    tables = table_names(source, head)
    return 0.95 if tables and all(t in tables for t in required) else 0.0


def readable(ctx: ParseContext, table: str, columns: list[str]) -> bool:
    if not columns:
        ctx.warn(f"{ctx.source_file}: table {table} has no readable columns; skipped")
    return bool(columns)


def columns_of(conn: sqlite3.Connection, table: str) -> set[str]:
    try:
        return {row[1].lower() for row in conn.execute(f"PRAGMA table_info({table})")}
    except sqlite3.DatabaseError:
        return set()


def pick(columns: set[str], alias: str, wanted: Iterable[str]) -> list[str]:
    """`alias.column` for each wanted column the table has (schemas differ by version)."""
    return [f"{alias}.{name}" for name in wanted if name.lower() in columns]


def fetch(conn: sqlite3.Connection, sql: str, table: str, ctx: ParseContext) -> tuple[list[str], list[tuple]]:
    """Rows of a query; a damaged database yields the rows read before the damage and a
    warning, so the rest of the case goes on."""
    rows: list[tuple] = []
    names: list[str] = []
    try:
        cursor = conn.execute(sql)
        names = [d[0] for d in cursor.description]
        while batch := cursor.fetchmany(FETCH_ROWS):
            rows.extend(batch)
    except sqlite3.DatabaseError as err:
        ctx.warn(f"{ctx.source_file}: table {table} could not be read completely "
                 f"({err}); {len(rows)} row(s) read before the error")
    return names, rows
