"""Compressed inputs (.gz, .bz2, .xz): read whole, and when cut short or damaged, read up to
the break with a note, never dropped."""

import bz2
import gzip
import lzma
from datetime import datetime, timezone

import polars as pl
import pytest

from parsers.base import ParseContext, Source, parse_all, sniff_compression
from parsers.registry import all_parsers

SYSLOG = all_parsers()["syslog"]
COMPRESS = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}


def _text(count: int, start: int = 0) -> bytes:
    return "".join(f"Nov 22 10:{i // 60 % 60:02d}:{i % 60:02d} web-01 app[1]: line {i}\n"
                   for i in range(start, start + count)).encode()


def _source(tmp_path, data: bytes, name: str) -> Source:
    path = tmp_path / name
    path.write_bytes(data)
    return Source(path, name, sniff_compression(path))


def _read(source: Source) -> bytes:
    with source.open() as handle:
        return handle.read()


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz"])
def test_whole_file_reads_as_its_text_with_no_note(tmp_path, kind):
    text = _text(20_000)
    source = _source(tmp_path, COMPRESS[kind](text), f"syslog.1.{kind}")
    assert _read(source) == text and source.notes == []


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz"])
def test_file_cut_short_gives_what_precedes_the_cut_and_a_note(tmp_path, kind):
    text = _text(50_000)
    packed = COMPRESS[kind](text)
    source = _source(tmp_path, packed[: len(packed) * 2 // 3], f"syslog.2.{kind}")
    got = _read(source)
    assert len(got) > len(text) // 3 and text.startswith(got)
    assert len(source.notes) == 1 and "cut short" in source.notes[0] and f"{len(got):,} bytes were read" in source.notes[0]


def test_damage_midway_keeps_what_came_before(tmp_path):
    text = _text(50_000)
    packed = bytearray(gzip.compress(text))
    packed[len(packed) // 2: len(packed) // 2 + 64] = b"\xff" * 64
    source = _source(tmp_path, bytes(packed), "syslog.3.gz")
    got = _read(source)
    # deflate may decode damaged bytes into wrong text until a bad code or the checksum
    # gives it away: the start is intact, and the note says the file is damaged
    assert len(got) > 100_000 and text.startswith(got[:100_000])
    assert len(source.notes) == 1 and "damaged" in source.notes[0]


def test_concatenated_gzip_members_and_zero_padding_are_read_whole(tmp_path):
    first, second = _text(1000), _text(1000, start=1000)
    source = _source(tmp_path, gzip.compress(first) + gzip.compress(second) + b"\x00" * 512, "syslog.4.gz")
    assert _read(source) == first + second and source.notes == []


def test_a_cut_short_log_parses_up_to_the_cut(tmp_path):
    packed = gzip.compress(_text(30_000))
    source = _source(tmp_path, packed[: len(packed) // 2], "syslog.2.gz")
    ctx = ParseContext("syslog.2.gz", "0" * 64, reference_time=datetime(2026, 12, 1, tzinfo=timezone.utc))
    events = pl.concat(parse_all(SYSLOG, source, ctx))
    assert events.height > 10_000
    assert events.height + ctx.unparsed_count == ctx.units
    assert events["source_line"].to_list() == list(range(1, events.height + 1))
    assert source.notes and "cut short" in source.notes[0]


def test_damage_note_counts_the_bytes_read(tmp_path):
    packed = bytearray(gzip.compress(_text(50_000)))
    packed[len(packed) // 2: len(packed) // 2 + 64] = b"\xff" * 64
    source = _source(tmp_path, bytes(packed), "syslog.3.gz")
    got = _read(source)
    assert f"{len(got):,} bytes were read" in source.notes[0]
