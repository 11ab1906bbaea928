"""Ingest: every input of a case through detection and its parser, into parts on disk and a summary."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

from evidence.case import Case, CaseInput
from evidence.direct import DirectTimeline
from parsers.base import ParseContext, RestartParse, Unparsed
from parsers.registry import detect
from parsers.schema import EVENT_SCHEMA, validate



@dataclass
class InputSummary:
    """What one input gave: the per-file line of every report."""

    source_file: str
    sha256: str
    size: int
    source_format: str | None
    events: int = 0
    unparsed: int = 0
    units: int = 0
    first: datetime | None = None
    last: datetime | None = None
    warnings: list[str] = field(default_factory=list)
    unparsed_details: list[Unparsed] = field(default_factory=list)
    reason: str = ""
    parts: list[Path] = field(default_factory=list)
    in_order: bool = True  # its parts, read in order, are already sorted by time

    def as_dict(self) -> dict:
        return {
            "source_file": self.source_file,
            "sha256": self.sha256,
            "source_format": self.source_format,
            "events": self.events,
            "unparsed": self.unparsed,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
        }


@dataclass
class IngestResult:
    inputs: list[InputSummary]
    unrecognized: list[InputSummary]
    parts: list[Path]
    assumptions: list[str]
    warnings: list[str]
    direct_done: bool = False

    @property
    def event_count(self) -> int:
        return sum(s.events for s in self.inputs)

    def scan(self) -> pl.LazyFrame:
        """The merged timeline, lazily, in its stable order: time, then file, then line.

        Each file's events are one run; runs already in time order (most logs) are merged
        in a stream, so a case far larger than memory can be written out."""
        runs = []
        for summary in self.inputs:
            if not summary.parts:
                continue
            run = pl.scan_parquet(summary.parts)
            if not summary.in_order:
                run = run.sort("timestamp", maintain_order=True)
            runs.append(run)
        if not runs:
            return pl.LazyFrame(schema=EVENT_SCHEMA)
        merged = runs[0]
        for run in runs[1:]:
            # on equal times the left run (the earlier file name) comes first
            merged = merged.merge_sorted(run, key="timestamp")
        return merged

    def collect(self) -> pl.DataFrame:
        return self.scan().collect()


Progress = Callable[[int], None]  # hears of input bytes read


def ingest(case: Case, workdir: Path, tz: str, reference_time: datetime | None,
           progress: Progress | None = None, direct: DirectTimeline | None = None) -> IngestResult:
    """Parse every input; a file that fails is reported and the rest goes on. With `direct`,
    the timeline file is written as the case parses while that stays possible
    (result.direct_done says whether it held)."""
    parts_dir = workdir / "parts"
    parts_dir.mkdir(parents=True, exist_ok=True)
    result = IngestResult([], [], [], [], [])
    try:
        _ingest_all(case, parts_dir, workdir, tz, reference_time, progress, direct, result)
    except BaseException:
        if direct is not None:
            direct.abandon()
        raise
    if direct is not None:
        result.direct_done = direct.finish()
    for note in case.skipped:
        result.warnings.append(note)
    return result


def _ingest_all(case: Case, parts_dir: Path, workdir: Path, tz: str, reference_time: datetime | None,
                progress: Progress | None, direct: DirectTimeline | None, result: IngestResult) -> None:
    for index, item in enumerate(case.inputs):
        told = [0]

        def on_bytes(count: int, size: int = item.size, told: list[int] = told) -> None:
            # decompressed bytes can outnumber the file's size: never report past it
            step = min(count, size - told[0])
            if progress and step > 0:
                told[0] += step
                progress(step)

        summary = _ingest_one(item, index, parts_dir, workdir, tz, reference_time, result, on_bytes, direct)
        for note in item.source.notes:  # e.g. compressed data cut short: read up to the cut
            if note not in summary.warnings:
                summary.warnings.append(note)
                result.warnings.append(note)
        if summary.source_format is None:
            result.unrecognized.append(summary)
        else:
            result.inputs.append(summary)
        on_bytes(item.size)


# Logs are often collected days after the customer spoke, and go on being written until
# then: a file modified after the report time, but not long after, was written until its
# modification time. (Much later, the time is more likely a copy's or a checkout's.)
COLLECTION_WINDOW = timedelta(days=30)


def years_relative_to(reported: datetime | None, modified: datetime) -> datetime:
    """The moment a year-less file's last line is taken to precede: the report time, or the
    file's modification time where there is no report time or the file was modified within
    COLLECTION_WINDOW after it (year inference allows a day's grace beyond either)."""
    if reported is None or reported < modified <= reported + COLLECTION_WINDOW:
        return modified
    return reported


def _ingest_one(item: CaseInput, index: int, parts_dir: Path, workdir: Path, tz: str,
                reference_time: datetime | None, result: IngestResult,
                on_bytes: Callable[[int], None] | None = None,
                direct: DirectTimeline | None = None) -> InputSummary:
    source = item.source
    summary = InputSummary(source.name, item.sha256, item.size, None)
    try:
        found = detect(source)
    except OSError as err:
        summary.reason = f"cannot be read: {err}"
        return summary
    if found.parser is None:
        summary.reason = "no known format recognises its content"
        return summary
    parser = found.parser
    summary.source_format = parser.name
    # recorded by a year-less format only, when it places its years
    year_reference = years_relative_to(reference_time, item.mtime)
    if year_reference is reference_time:
        label = f"the report time {reference_time.isoformat()}"
    else:
        label = f"the file's modification time {item.mtime.isoformat()}"
        if reference_time is not None:
            label += f", after the report time {reference_time.isoformat()}: written until then"
    ctx = ParseContext(source.name, item.sha256, tz=tz, reference_time=year_reference,
                       reference_label=label, workdir=workdir, on_bytes=on_bytes)
    for attempt in range(2):
        try:
            _write_parts(parser.parse(source, ctx), index, parts_dir, result, summary, direct)
            break
        except RestartParse as restart:
            if attempt:
                summary.warnings.append(f"{source.name}: {restart}; kept the second reading")
                break
            # drop what this file wrote and read it again with what the parser learnt (only
            # its own parts: an earlier input's direct timeline may have become a part
            # file meanwhile, when this file's first frame arrived)
            dropped = set(summary.parts)
            for part in dropped:
                part.unlink(missing_ok=True)
            result.parts[:] = [part for part in result.parts if part not in dropped]
            summary.parts.clear()
            if direct is not None:
                direct.forget(index)
            summary.events, summary.first, summary.last, summary.in_order = 0, None, None, True
            ctx.units, ctx.unparsed_count = 0, 0
            ctx.unparsed.clear()
            for key, value in restart.hints.items():
                setattr(ctx, key, value)
        except Exception as err:  # one bad file must not stop the case
            summary.warnings.append(f"{source.name}: parsing stopped early as {parser.name}: "
                                    f"{type(err).__name__}: {err}")
            break
    summary.unparsed = ctx.unparsed_count
    summary.units = ctx.units
    summary.unparsed_details = list(ctx.unparsed)
    summary.warnings.extend(ctx.warnings)
    result.assumptions.extend(a for a in ctx.assumptions if a not in result.assumptions)
    result.warnings.extend(summary.warnings)
    return summary


def _write_parts(frames, index: int, parts_dir: Path, result: IngestResult, summary: InputSummary,
                 direct: DirectTimeline | None = None) -> None:
    """Each frame to a part file on a writer thread, so that writing overlaps parsing (or into
    the timeline file itself while the case is one input in time order)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="write-part") as writer:
        pending: deque = deque()
        try:
            for frame in frames:
                if frame.height == 0:
                    continue
                validate(frame)
                if direct is not None and direct.active:
                    if direct.accepts(index, frame):
                        direct.write(index, frame, summary)
                        _account(frame, None, result, summary)
                        continue
                    owner = direct.owner_summary
                    moved = direct.demote(parts_dir)
                    if moved is not None and owner is not None:
                        owner.parts.insert(0, moved)
                        result.parts.append(moved)
                part = parts_dir / f"{index:05d}-{len(result.parts):06d}.parquet"
                pending.append(writer.submit(frame.write_parquet, part, compression="lz4", statistics=False))
                while len(pending) > 2:  # bound the frames held in memory
                    pending.popleft().result()
                _account(frame, part, result, summary)
        finally:
            for future in pending:
                future.result()


def _account(frame: pl.DataFrame, part: Path | None, result: IngestResult, summary: InputSummary) -> None:
    if part is not None:
        result.parts.append(part)
        summary.parts.append(part)
    summary.events += frame.height
    first, last = frame["timestamp"].min(), frame["timestamp"].max()
    if summary.in_order and (not frame["timestamp"].is_sorted()
                             or (summary.last is not None and first < summary.last)):
        summary.in_order = False
    summary.first = first if summary.first is None else min(summary.first, first)
    summary.last = last if summary.last is None else max(summary.last, last)


def write_timeline(result: IngestResult, out: Path) -> None:
    """The merged timeline to Parquet, CSV or JSON lines, chosen by the file extension (already
    there when the ingest could write it directly)."""
    if result.direct_done:
        return
    lazy = result.scan()
    suffix = out.suffix.lower()
    if suffix == ".parquet":
        lazy.sink_parquet(out, compression="zstd", compression_level=1)
    elif suffix == ".csv":
        lazy.sink_csv(out)
    elif suffix in (".jsonl", ".ndjson", ".json"):
        lazy.sink_ndjson(out)
    else:
        raise ValueError(f"{out}: unknown output type {suffix!r}; use .parquet, .csv or .jsonl")
