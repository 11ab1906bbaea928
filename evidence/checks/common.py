"""Shared by every check (claim x timeline -> finding): the Finding, windows, evidence picking, baselines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo

import polars as pl

from evidence.timeline import Timeline
from parsers.schema import SEVERITY_RANK

MAX_EVIDENCE = 10
# A claim with no time is read as being about the day before it was made.
DEFAULT_LOOKBACK = timedelta(hours=24)
# Changes this long before an onset are its context.
CONTEXT_BEFORE = timedelta(hours=1)
# Sources may stop a little before the call or start a little after the window opens.
EDGE_SLACK_SHARE = 0.05
MAX_EDGE_SLACK = timedelta(hours=1)
# Failures in a window are background when no more frequent than this times the week before.
BASELINE_SPAN = timedelta(days=7)
BASELINE_FACTOR = 2.0


class Verdict(StrEnum):
    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    INCONCLUSIVE = "inconclusive"


# What changed: the context of every onset, and what a "nobody changed anything" denies.
CHANGE_ACTIONS = ("package_install", "package_upgrade", "package_remove", "update", "config_change",
                  "password_change", "account_created", "account_deleted", "account_changed",
                  "service_install", "task_created", "time_change")
RESTART_ACTIONS = ("service_start", "service_stop")


@dataclass
class Finding:
    verdict: Verdict
    explanation: str
    evidence: list[dict] = field(default_factory=list)
    observed: dict | None = None
    delta_seconds: int | None = None
    missing: str | None = None
    context: list[dict] = field(default_factory=list)
    likely_causes: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = {"verdict": str(self.verdict), "observed": self.observed, "delta_seconds": self.delta_seconds,
               "evidence": self.evidence, "explanation": self.explanation}
        if self.missing:
            out["missing"] = self.missing
        if self.context:
            out["context"] = self.context
        if self.likely_causes:
            out["likely_causes"] = self.likely_causes
        return out


@dataclass(frozen=True)
class CheckInput:
    """One claim and everything a check may read; `claims` are the statement's others, by id."""

    claim: dict
    timeline: Timeline
    reported_at: datetime
    claims: dict[str, dict] = field(default_factory=dict)
    zone: str = "UTC"  # the customer's: explanations speak their clock

    def show(self, moment: datetime) -> str:
        return moment.astimezone(ZoneInfo(self.zone)).isoformat(timespec="seconds")

    def __post_init__(self) -> None:
        object.__setattr__(self, "reported_at", _instant(self.reported_at))

    @property
    def frame(self) -> pl.DataFrame:
        return self.timeline.frame

    @property
    def denied(self) -> bool:
        return self.claim.get("polarity") == "denied"

    def window(self) -> tuple[datetime, datetime, bool]:
        """(start, end, given): the claimed window, or the day before the report when the claim
        names no time; an open end is the report time."""
        window = self.claim.get("window") or self._dating_window() or {}
        now = self.reported_at
        start, end = _instant(window.get("start")), _instant(window.get("end"))
        if start is None and end is None:
            return now - DEFAULT_LOOKBACK, now, False
        return start or (end - DEFAULT_LOOKBACK), end or now, True

    def _dating_window(self) -> dict | None:
        """From the start of the onset that dates this claim ("down, it started two days ago") to
        the report: a symptom the customer dates is one they still have when they call."""
        for other in self.claims.values():
            if other.get("dates") == self.claim.get("id") and other.get("window"):
                window = other["window"]
                return {"start": window["start"], "end": None} if window.get("start") else window
        return None


def _instant(value: object) -> datetime | None:
    """UTC, as the frame's timestamps are: polars compares only like zones."""
    if isinstance(value, str) and value:
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc)
    return None


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def between(start: datetime, end: datetime) -> pl.Expr:
    return pl.col("timestamp").is_between(start, end, closed="both")


def severity_rank() -> pl.Expr:
    return pl.col("severity").replace_strict(SEVERITY_RANK, default=1, return_dtype=pl.Int64)


def evidence_rows(frame: pl.DataFrame) -> list[dict]:
    """Events as the report cites them, in time order."""
    rows = frame.sort(["timestamp", "source_file", "source_line", "event_id"], nulls_last=True)
    out = []
    for r in rows.iter_rows(named=True):
        item = {"event_id": r["event_id"], "source_file": r["source_file"], "source_line": r["source_line"],
                "timestamp": r["timestamp"].isoformat(), "message": r["message"] or r["raw"]}
        if r["source_line"] is None and r.get("source_record") is not None:
            item["source_record"] = r["source_record"]
        if r.get("action"):
            item["action"] = r["action"]
        out.append(item)
    return out


def pick_evidence(frame: pl.DataFrame, limit: int = MAX_EVIDENCE, first: int = 1) -> list[dict]:
    """The most telling lines: the earliest, the latest, then one line per kind of event (most
    severe first), so ten lines show the variety instead of ten copies of one message."""
    if frame.height == 0:
        return []
    ordered = frame.sort(["timestamp", "source_file", "source_line", "event_id"], nulls_last=True)
    chosen = list(ordered.head(first)["event_id"]) + [ordered["event_id"][-1]]
    kinds = (ordered.with_columns(severity_rank().alias("_rank"))
             .unique(["action", "process", "source_file", "event_code", "metric_name"], keep="first",
                     maintain_order=True)
             .sort(["_rank", "timestamp"], descending=[True, False], nulls_last=True, maintain_order=True))
    for event_id in kinds["event_id"]:
        if len(dict.fromkeys(chosen)) >= limit:
            break
        chosen.append(event_id)
    ids = list(dict.fromkeys(chosen))[:limit]
    return evidence_rows(ordered.filter(pl.col("event_id").is_in(ids)).unique("event_id", keep="first"))


def observed(frame: pl.DataFrame) -> dict | None:
    if frame.height == 0:
        return None
    return {"first": frame["timestamp"].min().isoformat(), "last": frame["timestamp"].max().isoformat(),
            "count": frame.height}


def sources_with(frame: pl.DataFrame, expr: pl.Expr) -> list[str]:
    """Files holding at least one event matching expr: the sources that can show it."""
    return sorted(frame.filter(expr)["source_file"].unique().to_list())


def edge_slack(start: datetime, end: datetime) -> timedelta:
    return min(MAX_EDGE_SLACK, (end - start) * EDGE_SLACK_SHARE)


def covering(ci: CheckInput, source_files: list[str], start: datetime, end: datetime) -> list[str]:
    """Those of source_files that cover the whole window without a gap."""
    slack = edge_slack(start, end)
    return [name for name in source_files if ci.timeline.covers(name, start, end, slack)]


def presence(ci: CheckInput, hits: pl.DataFrame, able: list[str], start: datetime, end: datetime,
             what: str, missing: str, baseline: bool = False) -> Finding:
    """The verdict for claims that something happened (or, denied, never did): events of it in
    the window decide; their absence decides only when a source able to show them covers it.
    With baseline, events at the rate their sources show in the week before the window are
    background (bots probing ssh, a stray 503), not what the customer saw."""
    shown = hits.filter(between(start, end))
    span = f"from {ci.show(start)} to {ci.show(end)}"
    full = covering(ci, able, start, end)
    if shown.height:
        first, last = shown["timestamp"].min(), shown["timestamp"].max()
        usual = usual_rate(ci, hits, shown, start, end) if baseline and not ci.denied else None
        if usual is None:
            verdict = Verdict.CONTRADICTED if ci.denied else Verdict.SUPPORTED
            when = (f"at {ci.show(first)}" if first == last
                    else f"between {ci.show(first)} and {ci.show(last)}")
            return Finding(verdict, f"{shown.height} event(s) of {what} {when}, inside the window {span}.",
                           pick_evidence(shown), observed(shown))
        words = (f"{shown.height} {what} in the window {span}, at {usual[0]:.2g} per hour against "
                 f"{usual[1]:.2g} per hour in the week before it: nothing above the usual background")
        if full:
            return Finding(Verdict.CONTRADICTED, words + f", while {names(full)} recorded events throughout it.",
                           pick_evidence(shown), observed(shown))
        return Finding(Verdict.INCONCLUSIVE, words + "; the sources do not cover the whole window.",
                       pick_evidence(shown), observed(shown), missing=f"Logs covering {span}.")
    if full:
        verdict = Verdict.SUPPORTED if ci.denied else Verdict.CONTRADICTED
        quiet = ci.frame.filter(pl.col("source_file").is_in(full) & between(start, end))
        return Finding(verdict, f"No {what} {span}, while {names(full)} recorded events throughout it.",
                       pick_evidence(quiet, limit=3), observed(quiet))
    if able:
        reach = ci.timeline.covered_span(able, start, end)
        if reach:
            where = f"they reach only {ci.show(reach[0])} to {ci.show(reach[1])} of it"
        else:
            spans = [s for s in ci.timeline.sources if s.source_file in able]
            where = (f"they run from {ci.show(min(s.first for s in spans))} to "
                     f"{ci.show(max(s.last for s in spans))}, outside it")
        return Finding(Verdict.INCONCLUSIVE, f"No {what} {span}; the sources that could show them "
                       f"({names(able)}) do not cover the whole window: {where}.",
                       missing=f"Logs of the same kind covering {span}.")
    return Finding(Verdict.INCONCLUSIVE, f"No source in the case records {what}.", missing=missing)


def names(files: list[str], shown: int = 3) -> str:
    more = len(files) - shown
    return ", ".join(files[:shown]) + (f" and {more} more" if more > 0 else "")


def usual_rate(ci: CheckInput, hits: pl.DataFrame, shown: pl.DataFrame, start: datetime,
               end: datetime) -> tuple[float, float] | None:
    """(rate in window, rate before) per hour when the window is no busier than the week
    before it in the same files; None when it stands out or there is no week to compare."""
    names = shown["source_file"].unique().to_list()
    sources = [s for s in ci.timeline.sources if s.source_file in names]
    lead = start - BASELINE_SPAN
    before_h = sum(max(0.0, (min(s.last, start) - max(s.first, lead)).total_seconds()) for s in sources) / 3600
    window_h = sum(max(0.0, (min(s.last, end) - max(s.first, start)).total_seconds()) for s in sources) / 3600
    if before_h < max(1.0, window_h) or window_h <= 0:
        return None
    before = hits.filter(pl.col("source_file").is_in(names)
                         & pl.col("timestamp").is_between(lead, start, closed="left")).height
    rate_w, rate_b = shown.height / window_h, before / before_h
    if before == 0 or rate_w > BASELINE_FACTOR * rate_b:
        return None
    return rate_w, rate_b


def changes_before(frame: pl.DataFrame, moment: datetime, limit: int = MAX_EVIDENCE) -> list[dict]:
    """What changed in the hour before a moment: installs, updates, config and password changes,
    service restarts."""
    near = frame.filter(pl.col("timestamp").is_between(moment - CONTEXT_BEFORE, moment, closed="left")
                        & pl.col("action").is_in(CHANGE_ACTIONS + RESTART_ACTIONS))
    # the latest changes are the nearest to the onset
    return evidence_rows(near.sort("timestamp").tail(limit))


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


def covered_time(timeline: Timeline, source_files: list[str], start: datetime, end: datetime) -> timedelta:
    """How much of [start, end] the given sources were writing through: first to last event,
    less their gaps, overlaps counted once. A symptom absent from this time is absent from logs
    that were running."""
    pieces: list[tuple[datetime, datetime]] = []
    for cov in timeline.sources:
        if cov.source_file not in source_files or cov.first >= end or cov.last <= start:
            continue
        cursor = max(cov.first, start)
        stop = min(cov.last, end)
        for gap in sorted((g for g in timeline.gaps if g.source_file == cov.source_file), key=lambda g: g.start):
            if gap.end <= cursor or gap.start >= stop:
                continue
            if gap.start > cursor:
                pieces.append((cursor, gap.start))
            cursor = max(cursor, gap.end)
        if stop > cursor:
            pieces.append((cursor, stop))
    total, reach = timedelta(0), None
    for a, b in sorted(pieces):
        if reach is not None and a < reach:
            a = reach
        if b > a:
            total += b - a
        reach = b if reach is None else max(reach, b)
    return total
