"""Header-driven text tables (IIS W3C, Zeek TSV): a file's lines -> blocks of data lines, each
with the directives (#Fields, #separator, ...) in force where it starts, and split into columns.

Accounting shared by these formats: the format's own directives are the file's header, as a
CSV header row is, and are not units; every other line is one unit. Data lines go to the
parser in blocks; blank lines are unparsed "empty line" and any other "#" line (a comment a
person added, an unknown directive) is unparsed "comment line", so nothing is dropped unseen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import polars as pl

from parsers.base import ParseContext, Source, iter_text_chunks
from parsers.lines import split_lines
from parsers.rules import join_bodies, json_body

# A directive reader: (name, value) for a line that is one of the format's directives, else None.
DirectiveReader = Callable[[str], "tuple[str, str] | None"]


@dataclass(frozen=True)
class Block:
    """Consecutive data lines and the directives in force above them."""

    directives: dict[str, str]
    first_line: int
    lines: pl.Series


def blocks(source: Source, ctx: ParseContext, read_directive: DirectiveReader) -> Iterator[Block]:
    """The data blocks of a file, in order; directives update the state, data lines, blank
    and comment lines are counted in ctx.units, blank and comment lines reported unparsed."""
    state: dict[str, str] = {}
    line_no = 1
    for text in iter_text_chunks(source, ctx.chunk_bytes, ctx.on_bytes):
        lines = split_lines(text)
        # only the few directive and blank lines are looked at one by one
        marks = (lines.str.starts_with("#") | (lines.str.strip_chars() == "")).arg_true().to_list()
        start = 0
        for mark in marks + [lines.len()]:
            if mark > start:
                ctx.units += mark - start
                yield Block(dict(state), line_no + start, lines.slice(start, mark - start))
            if mark == lines.len():
                break
            line = lines[mark]
            found = read_directive(line)
            if found is not None:
                state[found[0]] = found[1]
            else:
                ctx.units += 1
                ctx.add_unparsed(line_no + mark, "empty line" if not line.strip() else "comment line", line)
            start = mark + 1
        line_no += lines.len()


def split_columns(lines: pl.Series, separator: str, names: list[str]) -> pl.DataFrame:
    """Lines split on a literal separator into the named columns (all String), plus `line`
    and `_fields` (the number of fields the line really holds)."""
    names = unique_names(names)
    frame = pl.DataFrame({"line": lines})
    count = pl.col("line").str.count_matches(separator, literal=True) + 1
    parts = pl.col("line").str.split_exact(separator, max(len(names) - 1, 0)).struct.rename_fields(names)
    return frame.with_columns(count.alias("_fields"), parts.alias("_parts")).unnest("_parts")


def unique_names(names: list[str]) -> list[str]:
    """Column names as given, a repeated one suffixed (_2, _3) so that none is lost."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def field_count_reason(expected: int) -> pl.Expr:
    return pl.format("{} fields where the header names {}", pl.col("_fields"), pl.lit(expected))


def report_rejects(frame: pl.DataFrame, ok: pl.Expr, reason: pl.Expr, ctx: ParseContext) -> pl.DataFrame:
    """Report the rows that fail `ok` as unparsed (with the reason expression) and return the rest."""
    bad = frame.filter(~ok).select("source_line", "line", reason.alias("_reason"))
    for number, line, why in bad.iter_rows():
        ctx.add_unparsed(number, why, line)
    return frame.filter(ok)


def extra_of(columns: list[str], keys: list[str] | None = None) -> pl.Expr:
    """The non-null columns as one JSON object string (null when all are null)."""
    if not columns:
        return pl.lit(None, dtype=pl.String)
    return join_bodies(json_body(columns, keys))


def column_or_null(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None, dtype=pl.String)
