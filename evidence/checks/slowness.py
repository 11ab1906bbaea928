"""Slowness claims ("the PC is slow") x timeline -> finding: metrics and latencies against the host's own baseline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from evidence.checks.baseline import BASELINE_SPAN, robust_level
from evidence.checks.citing import evidence_rows, observed, pick_evidence
from evidence.checks.coverage import covering
from evidence.checks.model import CheckInput, Finding, Verdict, between


@dataclass(frozen=True)
class Scale:
    """How far a metric must rise to be felt: `step` above the host's baseline and at least
    `felt`; with no baseline to compare, at least `high`."""

    step: float
    felt: float
    high: float | None
    relative: float = 0.0  # also at least this share above the baseline (loads, latencies)


SCALES = {
    "cpu_busy_pct": Scale(20, 60, 85),
    "iowait_pct": Scale(10, 10, 20),
    "mem_used_pct": Scale(10, 85, 95),
    "swap_used_pct": Scale(10, 20, 50),
    "disk_queue": Scale(1, 2, 4),
    "load_1m": Scale(1, 1, None, relative=1.0),
    "latency_ms": Scale(100, 0, None, relative=1.0),
}
# Events that are themselves a slow boot or shutdown (Windows Diagnostics-Performance).
SLOW_EVENTS = ("boot_degradation", "shutdown_degradation")
# What runs in the background and makes a machine slow while it runs.
INDEXERS = ("SearchIndexer.exe", "SearchProtocolHost.exe", "mds", "mds_stores", "mdworker", "updatedb",
            "updatedb.mlocate", "plocate-build", "tracker-miner-fs", "tracker-miner-fs-3", "baloo_file")
CAUSES = (
    ("antivirus scan", pl.col("action") == "av_scan"),
    ("updates or installs", pl.col("action").is_in(("update", "package_install", "package_upgrade",
                                                    "package_remove"))),
    ("file indexing", pl.col("action").is_in(("process_start", "service_start", "cron_run"))
     & pl.col("process").str.replace(r".*[\\/]", "").is_in(INDEXERS)),
)
# A run is sustained when this share of the window's samples (and at least two) are high...
SUSTAINED_SHARE = 0.1
# ...or when consecutive samples stay high this long (each sample standing for the series' usual
# spacing): an hour of saturation before the call is felt however long the window is, and one
# sample is a spike, never an episode.
MIN_EPISODE = timedelta(minutes=15)
MIN_EPISODE_SAMPLES = 2
MIN_SERIES = 6
# A window shorter than a day is compared with the same hours of the days before it: office
# hours are busier than nights every day, and that rhythm is no slowdown. The window is usual
# while it stays within the robust level of those hours or their 90th percentile.
SAME_HOURS_DAYS = 7
SAME_HOURS_QUANTILE = 0.9


def samples(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per (host, metric, action, time): the highest value, keeping its event."""
    rows = frame.filter(pl.col("metric_name").is_in(list(SCALES)) & pl.col("metric_value").is_not_null()
                        & pl.col("metric_value").is_finite())
    return (rows.sort(["metric_value", "event_id"], descending=[True, False])
            .unique(["host", "metric_name", "action", "timestamp"], keep="first")
            .sort(["host", "metric_name", "action", "timestamp", "event_id"], nulls_last=True))


def _series(rows: pl.DataFrame):
    for key, group in rows.group_by(["host", "metric_name", "action"], maintain_order=True):
        yield key, group


def _threshold(name: str, base: pl.Series | None) -> float | None:
    scale = SCALES[name]
    if base is None or base.len() < 3:
        return scale.high
    median, mad = robust_level(base)
    return max(median + max(3 * mad, scale.step, median * scale.relative), scale.felt)


def same_hours(group: pl.DataFrame, start: datetime, end: datetime) -> pl.DataFrame:
    """The series' samples at the window's time of day on each of the SAME_HOURS_DAYS days before
    it; empty when the window spans a day or more (it holds every hour already)."""
    if end - start >= timedelta(days=1):
        return group.clear()
    days = [pl.col("timestamp").is_between(start - timedelta(days=d), end - timedelta(days=d), closed="both")
            for d in range(1, SAME_HOURS_DAYS + 1)]
    return group.filter(pl.any_horizontal(days))


def baseline_threshold(name: str, group: pl.DataFrame, start: datetime, end: datetime,
                       occurrences: pl.Expr | None = None) -> tuple[float | None, str]:
    """(threshold, words): from the same hours of earlier days when they were sampled, else from
    the week before the window (only its occurrences' hours, for a claim said to recur)."""
    same = same_hours(group, start, end)
    if same.height >= MIN_SERIES:
        values = same["metric_value"]
        usual = float(values.quantile(SAME_HOURS_QUANTILE))
        days = same["timestamp"].dt.date().n_unique()
        return (max(_threshold(name, values), usual),
                f"same hours of {days} earlier day(s): median {values.median():.3g}, "
                f"p90 {usual:.3g}, max {values.max():.3g}")
    before = pl.col("timestamp").is_between(start - BASELINE_SPAN, start, closed="left")
    base = group.filter(before if occurrences is None else before & occurrences)
    same = "" if occurrences is None else ", same hours"
    words = (f"baseline median {base['metric_value'].median():.3g} over the week before{same}"
             if base.height >= 3 else "no baseline before the window")
    return _threshold(name, base["metric_value"] if base.height else None), words


def episodes(series: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """The samples of every run of consecutive samples above threshold that lasts MIN_EPISODE,
    with `_run` numbering the runs; series is one metric of one host in time order."""
    if series.height < MIN_EPISODE_SAMPLES:
        return series.clear().with_columns(pl.lit(0, dtype=pl.UInt32).alias("_run"))
    step = series["timestamp"].diff().dt.total_seconds().median() or 0
    high = pl.col("metric_value") > threshold
    runs = (series.with_columns((high != high.shift(1)).fill_null(True).cum_sum().cast(pl.UInt32).alias("_run"))
            .filter(high))
    span = (pl.col("timestamp").max() - pl.col("timestamp").min()).dt.total_seconds().over("_run") + step
    return runs.filter((pl.len().over("_run") >= MIN_EPISODE_SAMPLES) & (span >= MIN_EPISODE.total_seconds()))


def sustained(series: pl.DataFrame, threshold: float, at_least: int = 2) -> pl.DataFrame:
    """The high samples that make a felt slowdown: all of them when they are a fair share of the
    series (and at least at_least), else those of its sustained episodes; empty when it only
    spiked."""
    high = series.filter(pl.col("metric_value") > threshold)
    if high.height >= max(at_least, SUSTAINED_SHARE * series.height):
        return high
    return episodes(series, threshold).drop("_run")


def level_shift(values: np.ndarray) -> int | None:
    """Index where the mean rises most (one change point, least squares); None if no rise."""
    n = len(values)
    if n < MIN_SERIES:
        return None
    sums = np.cumsum(values)
    k = np.arange(2, n - 1)  # at least two samples each side
    before = sums[k - 1] / k
    after = (sums[-1] - sums[k - 1]) / (n - k)
    gain = k * (n - k) / n * (after - before) ** 2 * (after > before)
    if not gain.any():
        return None
    return int(k[int(np.argmax(gain))])


def symptoms(frame: pl.DataFrame) -> pl.DataFrame:
    """Samples after each series' rise above its own earlier level (the felt, sustained kind),
    plus slow boot and shutdown events: what dates a slowness."""
    found = [frame.filter(pl.col("action").is_in(SLOW_EVENTS))]
    for (_, name, _), group in _series(samples(frame)):
        cut = level_shift(group["metric_value"].to_numpy())
        # too short or no rise: only values high on any machine stand out
        threshold = _threshold(name, group["metric_value"][:cut] if cut else None)
        after = group[cut:] if cut else group
        high = sustained(after, threshold) if threshold is not None else after.clear()
        if high.height:
            found.append(high.select(frame.columns))
    return pl.concat(found) if found else frame.clear()


def check(ci: CheckInput) -> Finding:
    finding = _check(ci)
    name = ci.claim.get("subject")
    if name and finding.observed:
        # no parser reads per-process counters: a named program's slowness is judged by the host's
        finding.explanation += (f" These are the whole host's measures, not {name}'s own: they show how the "
                                f"machine ran, not {name} alone.")
    return finding


def _check(ci: CheckInput) -> Finding:
    start, end, given = ci.window()
    rows = samples(ci.frame)
    in_window = ci.in_window(start, end)
    slow_events = ci.frame.filter(pl.col("action").is_in(SLOW_EVENTS) & in_window)
    high_parts, lines, quiet_series = [], [], []
    for (host, name, action), group in _series(rows):
        window = group.filter(in_window)
        if window.height == 0:
            continue
        threshold, base_words = baseline_threshold(name, group, start, end, ci.occurrences())
        if threshold is None:
            continue
        high = sustained(window, threshold, at_least=2 if window.height > 2 else 1)
        label = f"{name} on {host or 'the host'}" + (" (requests)" if action == "http_request" else "")
        if high.height:
            high_parts.append(high)
            lines.append(f"{label} above {threshold:.3g} in {high.height} of {window.height} samples"
                         f"{_episode_words(ci, window, threshold)}, peak {high['metric_value'].max():.3g} "
                         f"({base_words})")
        else:
            quiet_series.append((f"{label} ({base_words})", window, threshold, group["source_file"].unique().to_list()))
    undated = "" if given else " (no time given: the day before the report)"
    span = ci.span(start, end) + undated
    between_words = f"Between {ci.show(start)} and {ci.show(end)}{ci.occurrence_words()}" + undated
    if high_parts or slow_events.height:
        high = pl.concat(high_parts + [slow_events.select(rows.columns)]) if high_parts else slow_events
        if slow_events.height:
            lines.append(f"{slow_events.height} slow boot or shutdown events")
        peaks = high.sort("metric_value", descending=True, nulls_last=True).head(5)
        evidence = _merge(pick_evidence(high, limit=5), evidence_rows(peaks))
        first = high["timestamp"].min()
        return Finding(Verdict.SUPPORTED, f"{between_words}: " + "; ".join(lines[:4]) + ".", evidence,
                       observed(high), likely_causes=likely_causes(ci.frame, first - timedelta(hours=1),
                                                                   high["timestamp"].max()))
    if quiet_series:
        files = sorted({f for *_, names in quiet_series for f in names})
        full = covering(ci, files, start, end)
        peaks = pl.concat([w.sort("metric_value", descending=True).head(1) for _, w, _, _ in quiet_series])
        words = "; ".join(_quiet_words(label, w, t) for label, w, t, _ in quiet_series[:4])
        spiked = any(w["metric_value"].max() > t for _, w, t, _ in quiet_series)
        usual = "Metrics stay at their usual level" + (", apart from isolated samples," if spiked else "")
        if full:
            return Finding(Verdict.CONTRADICTED, f"{usual} {span}: {words}.",
                           evidence_rows(peaks.head(10)), observed(peaks))
        return Finding(Verdict.INCONCLUSIVE, f"Metrics in the part of the window they cover stay at their "
                       f"usual level ({words}), but they do not cover all of it {span}.",
                       evidence_rows(peaks.head(10)), observed(peaks),
                       missing=f"Performance samples covering the whole window {span}.")
    return Finding(Verdict.INCONCLUSIVE, f"No performance metric or response time in the case covers {span}.",
                   missing=_missing(ci.frame))


def _episode_words(ci: CheckInput, window: pl.DataFrame, threshold: float) -> str:
    """When the high samples are an episode: how long it lasted and when."""
    runs = episodes(window, threshold)
    if runs.height == 0:
        return ""
    longest = (runs.group_by("_run").agg(pl.len().alias("n"), pl.col("timestamp").min().alias("a"),
                                          pl.col("timestamp").max().alias("b"))
               .sort(["n", "a"], descending=[True, False]).row(0, named=True))
    minutes = round((longest["b"] - longest["a"]).total_seconds() / 60)
    length = f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"
    return (f", the longest run {longest['n']} consecutive samples from {ci.show(longest['a'])} to "
            f"{ci.show(longest['b'])} ({length})")


def _quiet_words(label: str, window: pl.DataFrame, threshold: float) -> str:
    over = window.filter(pl.col("metric_value") > threshold).height
    peak = window["metric_value"].max()
    if over:
        return (f"{label} above {threshold:.3g} only in {over} isolated sample(s) of {window.height}, "
                f"peak {peak:.3g}")
    return f"{label} peaked at {peak:.3g} (felt above {threshold:.3g})"


def likely_causes(frame: pl.DataFrame, start: datetime, end: datetime) -> list[dict]:
    """Background work running while the machine was slow, each with its events."""
    near = frame.filter(between(start, end))
    causes = []
    for label, expr in CAUSES:
        hits = near.filter(expr)
        if hits.height:
            causes.append({"label": label, "evidence": pick_evidence(hits, limit=3)})
    return causes


def _merge(*groups: list[dict]) -> list[dict]:
    seen: dict[str, dict] = {}
    for group in groups:
        for item in group:
            seen.setdefault(item["event_id"], item)
    return sorted(seen.values(), key=lambda e: (e["timestamp"], e["event_id"]))[:10]


def _missing(frame: pl.DataFrame) -> str:
    windows = frame.filter(pl.col("source_format").str.starts_with("evt")
                           | pl.col("source_format").str.starts_with("winevent")).height > 0
    if windows:
        return ("Performance data for the window: a Performance Monitor log (CSV or BLG with % Processor "
                "Time, Available MBytes, Avg. Disk Queue Length) or the Diagnostics-Performance event log.")
    return ("Performance data for the window: sysstat files (/var/log/sysstat/sa*, /var/log/sa/sa*) or sar "
            "output, or a web access log with request times.")
