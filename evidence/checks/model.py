"""What every check (claim x timeline -> finding) reads and returns: CheckInput and its window, Finding, Verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo

import polars as pl

from evidence.claims.daywindows import PART_HOURS, WEEKDAY_NAMES
from evidence.timeline import Timeline

# A claim with no time is read as being about the day before it was made.
DEFAULT_LOOKBACK = timedelta(hours=24)


class Verdict(StrEnum):
    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    INCONCLUSIVE = "inconclusive"


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

    def occurrences(self) -> pl.Expr | None:
        """For a claim said to recur ("every morning", "every Monday"): events inside its
        occurrences, on the customer's clock (the window spans the recent ones); None otherwise."""
        return occurrence_filter(self.claim.get("every"), self.zone)

    def in_window(self, start: datetime, end: datetime) -> pl.Expr:
        """between(start, end), and inside the occurrences of a recurring claim."""
        occurrences = self.occurrences()
        return between(start, end) if occurrences is None else between(start, end) & occurrences

    def span(self, start: datetime, end: datetime) -> str:
        """The window in words, with the occurrences of a recurring claim."""
        return f"from {self.show(start)} to {self.show(end)}{self.occurrence_words()}"

    def occurrence_words(self) -> str:
        """", morning hours only (06:00-12:00 each day)" for a claim said to recur, else ""."""
        every = self.claim.get("every")
        if every in PART_HOURS:
            lo, hi = PART_HOURS[every]
            return f", {every} hours only ({lo:02d}:00-{hi % 24:02d}:00 each day)"
        if every in WEEKDAY_NAMES:
            return f", {every.capitalize()}s only"
        return ""

    def occurrence_count(self, shown: pl.DataFrame, start: datetime, end: datetime) -> str:
        """" on 3 of the 7 mornings" for a recurring claim: in how many of the window's
        occurrences the events fall (each occurrence a local day's part, or a weekday); "" otherwise."""
        every = self.claim.get("every")
        if every not in PART_HOURS and every not in WEEKDAY_NAMES:
            return ""
        zone = ZoneInfo(self.zone)
        lo = PART_HOURS.get(every, (0, 24))[0]
        # an occurrence is named by the local date its hours start on ("night" runs past midnight)
        starts = shown["timestamp"].dt.convert_time_zone(self.zone) - timedelta(hours=lo)
        hit = set(starts.dt.date().to_list())
        first, last = (start.astimezone(zone) - timedelta(hours=lo)).date(), (end.astimezone(zone) - timedelta(hours=lo)).date()
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        if every in WEEKDAY_NAMES:
            days = [d for d in days if d.weekday() == WEEKDAY_NAMES.index(every)]
            name = f"{every.capitalize()}s"
        else:
            name = {"lastnight": "nights", "afterlunch": "early afternoons"}.get(every, f"{every}s")
        begun = [d for d in days if datetime.combine(d, datetime.min.time(), zone) + timedelta(hours=lo) <= end]
        return f" on {len(hit & set(begun))} of the {len(begun)} {name}"

    def _dating_window(self) -> dict | None:
        """From the start of the onset that dates this claim ("down, it started two days ago") to
        the report: a symptom the customer dates is one they still have when they call."""
        for other in self.claims.values():
            if other.get("dates") == self.claim.get("id") and other.get("window"):
                window = other["window"]
                return {"start": window["start"], "end": None} if window.get("start") else window
        return None


def occurrence_filter(every: str | None, zone: str) -> pl.Expr | None:
    """Events in the occurrences of a recurring claim: a part of the day (hours on the local
    clock, a night running past midnight) or a weekday; None for "day" or no recurrence."""
    if not every:
        return None
    local = pl.col("timestamp").dt.convert_time_zone(zone)
    if every in PART_HOURS:
        lo, hi = PART_HOURS[every]
        hour = local.dt.hour()
        return (hour >= lo) & (hour < hi) if hi <= 24 else (hour >= lo) | (hour < hi - 24)
    if every in WEEKDAY_NAMES:
        return local.dt.weekday() == WEEKDAY_NAMES.index(every) + 1
    return None


def _instant(value: object) -> datetime | None:
    """UTC, as the frame's timestamps are: polars compares only like zones."""
    if isinstance(value, str) and value:
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc)
    return None


def between(start: datetime, end: datetime) -> pl.Expr:
    """Events inside a check's window, both ends included."""
    return pl.col("timestamp").is_between(start, end, closed="both")
