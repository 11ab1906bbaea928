"""Text helpers of the line engine, shared with code parsers: lines, anchored patterns, extraction."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import numpy as np
import polars as pl
import pyarrow as pa


def split_lines(text: str) -> pl.Series:
    """Lines of a text chunk (\n only: \r and other separators stay inside the line).

    NUL bytes at the start of a line are dropped: a log written through an unclean shutdown
    holds a run of them (the file's size was set before its data reached the disk), and the
    first line written after the restart follows that run on the same line."""
    if text.endswith("\n"):
        text = text[:-1]
    # split in polars: twice as fast as str.split and a list of Python strings
    lines = pl.Series("line", [text], dtype=pl.String).str.split("\n").explode().str.strip_suffix("\r")
    return lines.str.strip_chars_start("\x00") if "\x00" in text else lines


def text_buffers(values: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """A text column's Arrow layout as numpy, without copying the text: the offsets of its
    values (len + 1 of them, int64; a null is an empty span) and the bytes they index."""
    array = values.rechunk().to_arrow()
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_string(array.type):
        offset_type = np.int32
    else:
        # a cast of an array already of this type is not free (it re-reads the data): only other types
        if not pa.types.is_large_string(array.type):
            array = array.cast(pa.large_string())
        offset_type = np.int64
    count = len(array)
    if array.buffers()[2] is None or count == 0:
        return np.zeros(count + 1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    offsets = np.frombuffer(array.buffers()[1], dtype=offset_type)[array.offset:array.offset + count + 1]
    return offsets.astype(np.int64), np.frombuffer(array.buffers()[2], dtype=np.uint8)


def is_pretty_json(head: bytes) -> bool:
    """Does the file start with a pretty-printed JSON object ("{" alone on its first line, as
    `journalctl -o json-pretty` writes each entry)?"""
    first = head.removeprefix(b"\xef\xbb\xbf").lstrip(b"\r\n").split(b"\n", 1)[0]
    return first.rstrip() == b"{"


def pretty_json_objects(chunks) -> Iterator[tuple[pl.Series, np.ndarray]]:
    """The objects of a stream of pretty-printed JSON objects (each opening with "{" and
    closing with "}" alone at the start of a line), chunk by chunk: each object's lines joined into one
    JSON text (JSON needs no newlines), with the line it starts on. An object cut by a chunk
    boundary waits for the next chunk."""
    carry = ""
    first_line = 1
    for text in chunks:
        text = carry + text
        lines = split_lines(text)
        # the braces of each object stand alone at the start of a line; indented ones belong
        # to a nested value
        stripped = lines.str.strip_chars_end()
        ends = (stripped == "}").arg_true()
        if ends.len() == 0:
            carry = text
            continue
        last = ends[-1]
        tail = lines.slice(last + 1)
        carry = "\n".join(tail.to_list()) + "\n" if tail.len() else ""
        body = pl.DataFrame({
            "line": lines.head(last + 1),
            "object": (stripped.head(last + 1) == "{").cum_sum(),
            "at": np.arange(first_line, first_line + last + 1, dtype=np.int64),
        })
        objects = body.group_by("object", maintain_order=True).agg(pl.col("line").str.join(""), pl.col("at").first())
        first_line += last + 1
        yield objects["line"], objects["at"].to_numpy()
    if carry.strip():  # an object never closed: one unit, which will not parse
        yield pl.Series("line", [carry.replace("\n", "")]), np.array([first_line], dtype=np.int64)


def nul_padding_line(text: str, first_line: int) -> int | None:
    """The first line of a chunk that starts with NUL padding (split_lines drops it), or None."""
    if "\x00" not in text:  # a byte search: the two-character search below is 20 times slower
        return None
    if text.startswith("\x00"):
        return first_line
    at = text.find("\n\x00")
    return None if at < 0 else first_line + text.count("\n", 0, at) + 1


def anchored(source: str) -> str:
    return "(?x)^(?:" + source + "\n)$"


_TRAILING_MESSAGE = re.compile(r"\(\?P<message>\s*\.\*\s*\)\s*$")


def extract_groups(lines: pl.Series, source: str) -> pl.DataFrame:
    """Named groups of an anchored pattern, one column each (null where it does not match).

    Most patterns end in `(?P<message> .* )`: capturing the rest of the line is the costly
    part of a regex with groups, so such a pattern captures only its head and the message is
    the rest of the line, sliced off: the same result at about twice the speed."""
    trailing = _TRAILING_MESSAGE.search(source)
    if trailing is None:
        return lines.str.extract_groups(anchored(source)).struct.unnest()
    head = source[: trailing.start()]
    found = lines.str.extract_groups("(?x)^(?P<_head>" + head + "\n)").struct.unnest()
    message = pl.when(found["_head"].is_not_null()).then(lines.str.slice(found["_head"].str.len_chars()))
    return found.with_columns(pl.select(message.alias("message")).to_series()).drop("_head")


def _decode_byte_array(text: str) -> str:
    try:
        return bytes(json.loads(text)).decode("utf-8", errors="replace")
    except (ValueError, TypeError):
        return text


def decode_byte_arrays(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """journald exports a field that is not valid UTF-8 as an array of byte values: such
    values become text (UTF-8, bad bytes replaced). Rare, so decoded row by row."""
    byte_array = r"^\[\s*\d{1,3}(?:\s*,\s*\d{1,3})*\s*\]$"
    for name in names:
        hits = frame[name].str.contains(byte_array).fill_null(False)
        if hits.any():
            decoded = [_decode_byte_array(v) if hit else v for v, hit in zip(frame[name], hits)]
            frame = frame.with_columns(pl.Series(name, decoded, dtype=pl.String))
    return frame


def hex_text(values: pl.Series) -> pl.Series:
    """Hex-encoded text (how auditd writes a value holding a space, a quote or a byte outside
    ASCII) as text: UTF-8, undecodable bytes replaced; NUL bytes, which separate a command's
    arguments, as spaces. Null where the value is not an even run of hex digits.

    Values that decode to ASCII (the first digit of each pair 0-7) are decoded in polars; the
    few others byte by byte, so that bad UTF-8 is replaced rather than refused."""
    values = values.cast(pl.String)
    hexadecimal = values.str.contains(r"^(?:[0-9A-Fa-f]{2})+$").fill_null(False)
    ascii_only = values.str.contains(r"^(?:[0-7][0-9A-Fa-f])+$").fill_null(False)
    decoded = pl.repeat(None, values.len(), dtype=pl.String, eager=True).alias(values.name)
    rows = ascii_only.arg_true()
    if rows.len():
        decoded = decoded.scatter(rows, values.gather(rows).str.decode("hex").cast(pl.String))
    rows = (hexadecimal & ~ascii_only).arg_true()
    if rows.len():
        wide = [bytes.fromhex(v).decode("utf-8", errors="replace") for v in values.gather(rows)]
        decoded = decoded.scatter(rows, pl.Series(wide, dtype=pl.String))
    return decoded.str.strip_chars_end("\x00").str.replace_all("\x00", " ", literal=True)


def dumps_extra(values: dict) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=False)
