"""Ingested events -> one timeline: UTC order, clock skew corrected, duplicates merged, coverage and gaps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl

from parsers.schema import EVENT_SCHEMA

# Lower is more trustworthy; the worse clock of two is the one corrected.
QUALITY_RANK = {"exact": 0, "year_inferred": 1, "tz_assumed": 2, "year_inferred+tz_assumed": 3}
# The same boot or crash seen by two sources: matched by host and action, not by wording.
MACHINE_EVENTS = ("boot", "shutdown", "shutdown_unexpected", "kernel_panic", "watchdog")
# Clocks further apart than this are not the same event (zones span 26 h at most).
MAX_SKEW = timedelta(hours=26)
# Offsets below this are second-rounding between a syslog and a microsecond source.
MIN_SKEW_SECONDS = 2.0
CONFIDENT_MATCHES = 3
CONFIDENT_SHARE = 0.8
# A gap is a silence this many times longer than the source's usual spacing, and at least
# MIN_GAP; sources with few distinct times have no rhythm to judge by.
GAP_FACTOR_MEDIAN = 12
GAP_FACTOR_P95 = 3
MIN_GAP = timedelta(minutes=30)
MIN_TIMES_FOR_GAPS = 20
SORT_KEYS = ["timestamp", "source_file", "source_line", "source_record", "event_id"]


@dataclass(frozen=True)
class SourceCoverage:
    source_file: str
    source_format: str
    hosts: tuple[str, ...]
    first: datetime
    last: datetime
    events: int
    rhythm_seconds: float | None  # median spacing between distinct times

    def as_dict(self) -> dict:
        return {"source_file": self.source_file, "source_format": self.source_format,
                "hosts": list(self.hosts), "first": self.first.isoformat(), "last": self.last.isoformat(),
                "events": self.events, "rhythm_seconds": self.rhythm_seconds}


@dataclass(frozen=True)
class Gap:
    source_file: str
    start: datetime
    end: datetime
    rhythm_seconds: float

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def as_dict(self) -> dict:
        return {"source_file": self.source_file, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "seconds": round(self.seconds), "rhythm_seconds": self.rhythm_seconds}


@dataclass(frozen=True)
class Skew:
    source_file: str  # the clock that is off
    reference_file: str
    offset_seconds: float  # add to source_file's times to read them on reference_file's clock
    matches: int
    corrected: bool

    def as_dict(self) -> dict:
        return {"source_file": self.source_file, "reference_file": self.reference_file,
                "offset_seconds": self.offset_seconds, "matches": self.matches, "corrected": self.corrected}


@dataclass
class Timeline:
    frame: pl.DataFrame
    sources: list[SourceCoverage] = field(default_factory=list)
    hosts: list[dict] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    skews: list[Skew] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def first(self) -> datetime | None:
        return min((s.first for s in self.sources), default=None)

    @property
    def last(self) -> datetime | None:
        return max((s.last for s in self.sources), default=None)

    def source(self, name: str) -> SourceCoverage | None:
        return next((s for s in self.sources if s.source_file == name), None)

    def covers(self, source_file: str, start: datetime, end: datetime, slack: timedelta = timedelta(0)) -> bool:
        """The source has events from start to end (within slack at each edge) and no gap inside."""
        cov = self.source(source_file)
        if cov is None or cov.first > start + slack or cov.last < end - slack:
            return False
        return not any(g.source_file == source_file and g.end > start and g.start < end for g in self.gaps)

    def covered_span(self, source_files: list[str], start: datetime, end: datetime) -> tuple[datetime, datetime] | None:
        """The part of [start, end] the given sources reach, first to last event."""
        spans = [(max(s.first, start), min(s.last, end)) for s in self.sources
                 if s.source_file in source_files and s.first <= end and s.last >= start]
        if not spans:
            return None
        return min(a for a, _ in spans), max(b for _, b in spans)


def build_timeline(events: pl.DataFrame) -> Timeline:
    """The one timeline every check reads. Pure: same events, same timeline."""
    frame = events.sort(SORT_KEYS, nulls_last=True, maintain_order=True)
    timeline = Timeline(frame)
    if frame.height == 0:
        return timeline
    timeline.skews = detect_skew(frame)
    frame = _apply_corrections(frame, timeline)
    frame = _deduplicate(frame, timeline)
    timeline.frame = frame.sort(SORT_KEYS, nulls_last=True, maintain_order=True)
    timeline.sources = _coverage(timeline.frame)
    timeline.hosts = _hosts(timeline.frame)
    timeline.gaps = _gaps(timeline.frame, timeline.sources)
    for gap in timeline.gaps:
        timeline.warnings.append(
            f"{gap.source_file}: no events from {gap.start.isoformat()} to {gap.end.isoformat()} "
            f"({_duration(gap.seconds)}; the file usually writes every {_duration(gap.rhythm_seconds)})")
    return timeline


def _quality_of(frame: pl.DataFrame) -> dict[str, int]:
    """Each file's worst timestamp quality."""
    ranks = frame.group_by("source_file").agg(
        pl.col("timestamp_quality").replace_strict(QUALITY_RANK, default=3).max().alias("rank"))
    return dict(zip(ranks["source_file"].to_list(), ranks["rank"].to_list()))


def _match_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """Events that can identify a moment across files: unique within their file."""
    machine = pl.col("action").is_in(MACHINE_EVENTS)
    key = (pl.when(machine)
           .then(pl.concat_str([pl.col("host").fill_null(""), pl.lit("\x1f#"), pl.col("action")]))
           .otherwise(pl.concat_str([pl.col("host").fill_null(""), pl.lit("\x1f"), pl.col("process").fill_null(""),
                                     pl.lit("\x1f"), pl.col("message")])))
    keyed = (frame.filter(pl.col("message").is_not_null() & (pl.col("action") != "metric_sample"))
             .select("source_file", "timestamp", key.alias("key")))
    return keyed.filter(pl.len().over(["source_file", "key"]) == 1)


def detect_skew(frame: pl.DataFrame) -> list[Skew]:
    """Pairs of files whose shared events disagree by a steady offset."""
    keyed = _match_keys(frame)
    if keyed.height == 0:
        return []
    pairs = (keyed.join(keyed, on="key", suffix="_b")
             .filter(pl.col("source_file") < pl.col("source_file_b"))
             .with_columns(((pl.col("timestamp_b") - pl.col("timestamp")).dt.total_microseconds() / 1e6)
                           .alias("offset"))
             .filter(pl.col("offset").abs() <= MAX_SKEW.total_seconds()))
    if pairs.height == 0:
        return []
    stats = (pairs.group_by("source_file", "source_file_b")
             .agg(pl.len().alias("n"), pl.col("offset").median().alias("median"), pl.col("offset"))
             .sort("source_file", "source_file_b"))
    quality = _quality_of(frame)
    skews: list[Skew] = []
    corrected: set[str] = set()
    for row in stats.iter_rows(named=True):
        median = row["median"]
        if abs(median) < MIN_SKEW_SECONDS:
            continue
        tolerance = max(MIN_SKEW_SECONDS, 0.01 * abs(median))
        agree = sum(abs(o - median) <= tolerance for o in row["offset"]) / row["n"]
        confident = row["n"] >= CONFIDENT_MATCHES and agree >= CONFIDENT_SHARE
        a, b = row["source_file"], row["source_file_b"]
        if agree < CONFIDENT_SHARE:
            continue  # the shared lines do not tell one story: coincidences, not a clock
        # b's clock = a's clock + median: the worse clock is moved onto the better one
        if quality[b] > quality[a]:
            off, ref, offset = b, a, -median
        else:
            off, ref, offset = a, b, median
        fix = confident and quality[a] != quality[b] and off not in corrected and ref not in corrected
        if fix:
            corrected.add(off)
        skews.append(Skew(off, ref, round(offset, 3), row["n"], fix))
    return skews


def _apply_corrections(frame: pl.DataFrame, timeline: Timeline) -> pl.DataFrame:
    for skew in timeline.skews:
        words = (f"{skew.source_file}: its clock differs from {skew.reference_file} by "
                 f"{_signed(skew.offset_seconds)} ({skew.matches} events seen in both)")
        if not skew.corrected:
            timeline.warnings.append(words + "; not corrected: too few shared events or no better clock to trust")
            continue
        shift = pl.duration(microseconds=round(skew.offset_seconds * 1e6))
        frame = frame.with_columns(
            pl.when(pl.col("source_file") == skew.source_file)
            .then(pl.col("timestamp") + shift).otherwise(pl.col("timestamp")).alias("timestamp"))
        zone_like = round(skew.offset_seconds) % 900 == 0
        timeline.assumptions.append(
            words + f"; its times are moved by {_signed(skew.offset_seconds)} onto the clock of {skew.reference_file}"
            + (" (a whole zone offset: the zone assumed for the file was probably wrong)" if zone_like else ""))
    return frame


def _deduplicate(frame: pl.DataFrame, timeline: Timeline) -> pl.DataFrame:
    """The same line relayed into two files (syslog and journald) is one event; the copy with the
    better clock is kept. Repeats inside one file are real and all kept."""
    key = ["host", "process", "message", "_second"]
    ranks = _quality_of(frame)
    work = frame.with_row_index("_row").with_columns(
        pl.col("timestamp").dt.truncate("1s").alias("_second"),
        pl.col("source_file").replace_strict(ranks, default=3).alias("_rank"),
    )
    work = work.with_columns(pl.int_range(pl.len()).over(key + ["source_file"]).alias("_nth"))
    candidates = work.filter(pl.col("message").is_not_null()
                             & (pl.col("source_file").n_unique().over(key) > 1))
    if candidates.height == 0:
        return frame
    ordered = candidates.sort(["_rank", "source_file", "_row"])
    kept = ordered.group_by(key + ["_nth"], maintain_order=True).agg(
        pl.col("_row").first().alias("_keep"), pl.col("source_file").first().alias("kept_in"),
        pl.col("_row").slice(1).alias("_drop"), pl.col("source_file").slice(1).alias("dropped_from"))
    dropped = kept.select("kept_in", "_drop", "dropped_from").explode("_drop", "dropped_from").drop_nulls("_drop")
    if dropped.height == 0:
        return frame
    summary = dropped.group_by("dropped_from", "kept_in").agg(pl.len().alias("events")).sort("dropped_from", "kept_in")
    for row in summary.iter_rows(named=True):
        timeline.duplicates.append(dict(row))
        timeline.assumptions.append(
            f"{row['dropped_from']}: {row['events']} events also appear in {row['kept_in']} (same host, program, "
            f"message and second); each is counted once, citing {row['kept_in']}")
    drop = dropped["_drop"].to_list()
    return work.filter(~pl.col("_row").is_in(drop)).select(list(EVENT_SCHEMA))


def _coverage(frame: pl.DataFrame) -> list[SourceCoverage]:
    per = (frame.group_by("source_file")
           .agg(pl.col("source_format").first(), pl.col("host").drop_nulls().unique().sort().alias("hosts"),
                pl.col("timestamp").min().alias("first"), pl.col("timestamp").max().alias("last"),
                pl.len().alias("events"),
                pl.col("timestamp").unique().sort().diff().dt.total_seconds().median().alias("rhythm"))
           .sort("source_file"))
    return [SourceCoverage(r["source_file"], r["source_format"], tuple(r["hosts"]), r["first"], r["last"],
                           r["events"], r["rhythm"]) for r in per.iter_rows(named=True)]


def _hosts(frame: pl.DataFrame) -> list[dict]:
    per = (frame.filter(pl.col("host").is_not_null()).group_by("host")
           .agg(pl.col("timestamp").min().alias("first"), pl.col("timestamp").max().alias("last"),
                pl.len().alias("events"), pl.col("source_file").unique().sort().alias("sources"))
           .sort("host"))
    return [{"host": r["host"], "first": r["first"].isoformat(), "last": r["last"].isoformat(),
             "events": r["events"], "sources": r["sources"]} for r in per.iter_rows(named=True)]


def _gaps(frame: pl.DataFrame, sources: list[SourceCoverage]) -> list[Gap]:
    times = (frame.select("source_file", "timestamp").unique().sort("source_file", "timestamp")
             .with_columns(pl.col("timestamp").shift(1).over("source_file").alias("previous")))
    steps = times.with_columns((pl.col("timestamp") - pl.col("previous")).dt.total_seconds().alias("step"))
    rhythm = (steps.drop_nulls("step").group_by("source_file")
              .agg(pl.len().alias("n"), pl.col("step").median().alias("median"),
                   pl.col("step").quantile(0.95).alias("p95")))
    rhythm = rhythm.filter(pl.col("n") >= MIN_TIMES_FOR_GAPS).with_columns(
        pl.max_horizontal(pl.lit(MIN_GAP.total_seconds()), pl.col("median") * GAP_FACTOR_MEDIAN,
                          pl.col("p95") * GAP_FACTOR_P95).alias("limit"))
    found = (steps.join(rhythm, on="source_file").filter(pl.col("step") > pl.col("limit"))
             .sort("source_file", "timestamp"))
    return [Gap(r["source_file"], r["previous"], r["timestamp"], float(r["median"]))
            for r in found.iter_rows(named=True)]


def duration_words(seconds: float, seconds_below: float = 0, minutes_below: int = 60) -> str:
    """A duration (its sign dropped) as "90 s", "45 min", "2 h 12 min" or "3 d 4 h": seconds below
    seconds_below, minutes below minutes_below, hours below two days, then days."""
    seconds = abs(seconds)
    if seconds < seconds_below:
        return f"{seconds:g} s"
    minutes = round(seconds / 60)
    if minutes < minutes_below:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def _duration(seconds: float) -> str:
    # gaps and clock offsets are often a minute or two: those keep their seconds
    return duration_words(seconds, seconds_below=120, minutes_below=120)


def _signed(seconds: float) -> str:
    return ("+" if seconds >= 0 else "-") + _duration(seconds)
