"""Spec self-checks: every sample parses as it says, every pattern and rule is exercised."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from datetime import datetime, timezone

import polars as pl

from parsers.base import ParseContext
from parsers.engine import SpecParser
from parsers.lines import anchored
from parsers.rules import apply_rules
from parsers.spec import FormatSpec
from parsers.timestamps import parse_epoch, parse_naive, parse_with_offset

# Samples are checked at a fixed reference moment and zone: nothing depends on the machine.
SAMPLE_REFERENCE = datetime(2026, 12, 31, 23, 0, tzinfo=timezone.utc)
SAMPLE_TZ = "UTC"


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def _compare(where: str, row: dict, expect: dict) -> list[Problem]:
    problems = []
    for column, wanted in expect.items():
        got = row.get(column)
        if column == "timestamp" and got is not None:
            got = got.isoformat()
        if got != wanted:
            problems.append(Problem(where, f"{column} = {got!r}, expected {wanted!r}"))
    return problems


def check_spec(spec: FormatSpec) -> list[Problem]:
    """Problems with one spec's samples, patterns and rules; empty when it is sound."""
    problems: list[Problem] = []
    if spec.engine == "code":
        return _check_code_samples(spec)
    parser = SpecParser(spec)
    hit_patterns: set[str] = set()
    hit_rules: set[str] = set()
    if spec.engine == "lines" and spec.samples:
        lines = pl.Series([s.line for s in spec.samples], dtype=pl.String)
        group = spec.timestamp.group
        # per pattern: the timestamp text where it matches (Rust regex, as the engine runs it)
        stamps = [lines.str.extract_groups(a).struct.field(group) for a in parser._anchored]
        for index, sample in enumerate(spec.samples):
            matching = [p.name for p, found in zip(spec.patterns, stamps) if found[index] is not None]
            if len(matching) != 1:
                problems.append(Problem(sample.origin, f"matches {len(matching)} patterns {matching}, expected exactly 1"))
            hit_patterns.update(matching)
            if matching:
                first = [p.name for p in spec.patterns].index(matching[0])
                problems.extend(_check_timestamp(spec, sample.origin, stamps[first][index]))
    if spec.engine == "lines":
        for pattern in spec.patterns:
            if pattern.name not in hit_patterns:
                problems.append(Problem(spec.path, f"pattern {pattern.name!r} is hit by no sample"))
    # all samples of a spec go through the engine as one chunk: one regex pass, not hundreds
    if spec.samples:
        ctx = ParseContext("sample", "0" * 64, tz=SAMPLE_TZ, reference_time=SAMPLE_REFERENCE)
        frame = _parse_batch(parser, [s.line for s in spec.samples], ctx)
        rejected = {u.line: u.reason for u in ctx.unparsed}
        by_line = {row["source_line"]: row for row in frame.iter_rows(named=True)}
        for number, sample in enumerate(spec.samples, 1):
            if number not in by_line:
                problems.append(Problem(sample.origin, f"gives no event ({rejected.get(number)})"))
                continue
            row = by_line[number]
            problems.extend(_compare(sample.origin, row, sample.expect))
            hit_rules.update(_rules_hit(spec, row))
    if spec.rule_samples:
        columns = ("process", "message", "user", "src_ip", "event_code", "host", "severity",
                   "url", "category", "action", "outcome")
        frame = pl.DataFrame({c: [s.fields.get(c) for s in spec.rule_samples] for c in columns},
                             schema={c: pl.String for c in columns})
        out = apply_rules(frame, spec.rules)
        for sample, row in zip(spec.rule_samples, out.iter_rows(named=True)):
            problems.extend(_compare(sample.origin, row, sample.expect))
            hit_rules.update(_rules_hit(spec, row, sample.fields))
    for rule in spec.rules:
        if rule.name not in hit_rules:
            problems.append(Problem(rule.origin, f"rule {rule.name!r} is hit by no sample"))
    return problems


def _check_code_samples(spec: FormatSpec) -> list[Problem]:
    """A code format's sample is a whole small file; its expectations hold for one of its events."""
    if not spec.samples:
        return []
    from parsers.base import Source, parse_all
    from parsers.registry import all_parsers

    parser = all_parsers().get(spec.name)
    if parser is None:
        return [Problem(spec.path, "no code parser is registered for this spec")]
    problems = []
    with tempfile.TemporaryDirectory(prefix="caseline-sample-") as tmp:
        for number, sample in enumerate(spec.samples, 1):
            path = Path(tmp) / f"sample{number}"
            path.write_text(sample.line if sample.line.endswith("\n") else sample.line + "\n")
            ctx = ParseContext("sample", "0" * 64, tz=SAMPLE_TZ, reference_time=SAMPLE_REFERENCE, workdir=Path(tmp))
            try:
                frames = parse_all(parser, Source(path, path.name), ctx)
            except Exception as err:  # a sample that crashes its parser is a spec problem
                problems.append(Problem(sample.origin, f"parser failed: {type(err).__name__}: {err}"))
                continue
            events = pl.concat(frames) if frames else pl.DataFrame()
            if events.height == 0:
                problems.append(Problem(sample.origin, f"gives no event ({[u.reason for u in ctx.unparsed]})"))
                continue
            # the sample holds if one of its events has every expected value
            found = [_compare(sample.origin, row, sample.expect) for row in events.iter_rows(named=True)]
            if all(found):
                problems.extend(min(found, key=len))
    return problems


def _parse_batch(parser: SpecParser, lines: list[str], ctx: ParseContext) -> pl.DataFrame:
    """Sample lines to events; year-less samples all take the reference year (each sample
    stands alone, so no New Year lies between them)."""
    good, bad, count = parser._transform(pl.Series("line", lines, dtype=pl.String), 1, ctx)
    frame = parser._settle(good, bad, count, ctx, None if parser.spec.timestamp.year != "infer" else _NoRoll())
    if parser.spec.timestamp.year == "infer":
        frame = parser._finish_years(frame, SAMPLE_REFERENCE.year, ctx)
    return frame


class _NoRoll:
    """A stand-in year tracker: every sample is in roll segment 0."""

    def assign(self, naive: pl.Series) -> pl.Series:
        return pl.zeros(naive.len(), dtype=pl.Int32, eager=True)


def _rules_hit(spec: FormatSpec, row: dict, fields: dict | None = None) -> set[str]:
    """Name of the rule that decided this row: the first whose conditions hold."""
    values = dict(row)
    if fields:
        values.update(fields)
    for rule in spec.rules:
        if all(values.get(c) is not None and r.search(str(values[c])) for c, r in rule.when.items()):
            return {rule.name}
    return set()


def _check_timestamp(spec: FormatSpec, where: str, text: str) -> list[Problem]:
    """The timestamp group must be consumed whole by one of the formats."""
    tspec = spec.timestamp
    series = pl.DataFrame({"t": [text]})
    if tspec.zone == "epoch":
        value = series.select(parse_epoch(pl.col("t"), tspec.epoch_unit))[0, 0]
    elif tspec.zone == "offset":
        value = series.select(parse_with_offset(pl.col("t"), tspec.formats))[0, 0]
    else:
        value = series.select(parse_naive(pl.col("t"), tspec.formats, prefix_year=tspec.year == "infer"))[0, 0]
    if value is None:
        return [Problem(where, f"timestamp {text!r} is not consumed whole by {list(tspec.formats) or tspec.epoch_unit}")]
    return []


def check_overlaps(specs: dict[str, FormatSpec]) -> list[Problem]:
    """No sample line may be claimed by a pattern of another lines format."""
    problems = []
    compiled = {n: [anchored(p.source) for p in s.patterns] for n, s in specs.items() if s.engine == "lines"}
    for name, spec in specs.items():
        if spec.engine not in ("lines",):
            continue
        lines = pl.Series([s.line for s in spec.samples], dtype=pl.String)
        for other, regexes in compiled.items():
            if other == name or not len(lines):
                continue
            for regex in regexes:
                hits = lines.str.contains(regex)
                for sample, hit in zip(spec.samples, hits):
                    if hit:
                        problems.append(Problem(sample.origin, f"also claimed by format {other!r}"))
    return problems


def check_all(specs: dict[str, FormatSpec]) -> list[Problem]:
    problems = []
    for spec in specs.values():
        problems.extend(check_spec(spec))
    problems.extend(check_overlaps(specs))
    return problems
