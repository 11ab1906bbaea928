"""A symptom's events against their source's own usual level: background rates, robust baselines, first bursts."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from evidence.checks.model import CheckInput
from evidence.timeline import Timeline

# Failures in a window are background when no more frequent than this times the week before.
BASELINE_SPAN = timedelta(days=7)
BASELINE_FACTOR = 2.0


def usual_rate(ci: CheckInput, hits: pl.DataFrame, shown: pl.DataFrame, start: datetime,
               end: datetime) -> tuple[float, float] | None:
    """(rate in window, rate before) per hour when the window is no busier than the week
    before it in the same files; None when it stands out or there is no week to compare."""
    files = shown["source_file"].unique().to_list()
    sources = [s for s in ci.timeline.sources if s.source_file in files]
    lead = start - BASELINE_SPAN
    before_h = sum(max(0.0, (min(s.last, start) - max(s.first, lead)).total_seconds()) for s in sources) / 3600
    window_h = sum(max(0.0, (min(s.last, end) - max(s.first, start)).total_seconds()) for s in sources) / 3600
    if before_h < max(1.0, window_h) or window_h <= 0:
        return None
    before = hits.filter(pl.col("source_file").is_in(files)
                         & pl.col("timestamp").is_between(lead, start, closed="left")).height
    rate_w, rate_b = shown.height / window_h, before / before_h
    if before == 0 or rate_w > BASELINE_FACTOR * rate_b:
        return None
    return rate_w, rate_b


def robust_level(values: pl.Series) -> tuple[float, float]:
    """Median and scaled MAD: a baseline that a few spikes do not move."""
    median = float(values.median())
    mad = float((values - median).abs().median()) * 1.4826
    return median, mad


def first_burst(events: pl.DataFrame, timeline: Timeline, min_count: int) -> pl.DataFrame:
    """The symptom's events from its first burst on: per source, the first time bucket whose
    count rises above the source's own baseline (median + 3 MAD of its buckets over the file's
    whole span, zeros included) and reaches min_count; the earliest such bucket across sources,
    with whatever any source logged in the bucket's length before it (the service that failed
    seconds before the 502s). Empty when nothing stands out. A lone event in a file that is
    usually silent is background, not a burst: min_count says how many make one."""
    best: tuple[datetime, int] | None = None
    for name in sorted(events["source_file"].unique().to_list()):
        mine = events.filter(pl.col("source_file") == name)
        cov = timeline.source(name)
        if cov is None:
            continue
        span = (cov.last - cov.first).total_seconds()
        bucket = int(min(3600, max(60, span / 48)))
        origin = cov.first
        keyed = mine.with_columns(((pl.col("timestamp") - origin).dt.total_seconds() // bucket).alias("_b"))
        counts = keyed.group_by("_b").len()
        size = int(span // bucket) + 1
        series = pl.Series([0] * size, dtype=pl.Int64)
        series = series.scatter(counts["_b"].cast(pl.Int64).clip(0, size - 1), counts["len"].cast(pl.Int64))
        median, mad = robust_level(series)
        limit = max(float(min_count), median + 3 * mad, 2 * median + 1 if median else 0.0)
        over = [i for i, c in enumerate(series.to_list()) if c >= limit and c > median]
        if not over:
            continue
        begins = keyed.filter(pl.col("_b") >= over[0])["timestamp"].min()
        if best is None or begins < best[0]:
            best = (begins, bucket)
    if best is None:
        return events.clear()
    begins, bucket = best
    return events.filter(pl.col("timestamp") >= begins - timedelta(seconds=bucket))
