"""Onset claims ("it started two days ago") x timeline -> finding: when the symptom first shows, against the window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import polars as pl

from evidence.checks import change, crash, login, outage, popup, reboot, slowness
from evidence.checks.common import (
    CheckInput,
    Finding,
    Verdict,
    changes_before,
    first_burst,
    observed,
    pick_evidence,
)

# Each symptom kind -> the events that show it.
SYMPTOMS: dict[str, Callable[[pl.DataFrame], pl.DataFrame]] = {
    "slowness": slowness.symptoms,
    "popup": lambda frame: frame.filter(popup.symptom()),
    "outage": lambda frame: frame.filter(outage.symptom()),
    "login": lambda frame: frame.filter(login.symptom()),
    "reboot": lambda frame: frame.filter(reboot.symptom()),
    "crash": lambda frame: frame.filter(crash.symptom()),
    "change": lambda frame: frame.filter(change.symptom()),
}
# Without a symptom claim: anything going wrong, in bursts above the source's usual rate.
MIN_BURST = 3
# Symptoms a source logs only when they happen: the first one is the onset.
SPARSE = ("reboot", "crash", "change", "popup", "slowness")
MAX_TOLERANCE = timedelta(hours=1)
MIN_TOLERANCE = timedelta(minutes=5)


def trouble() -> pl.Expr:
    return (pl.col("severity").is_in(("error", "critical")) | (pl.col("outcome") == "failure")
            | (pl.col("action") == "threat_detected"))


def tolerance(start: datetime, end: datetime) -> timedelta:
    """Room for the customer's rounding: a tenth of the window, between 5 min and 1 h."""
    return min(MAX_TOLERANCE, max(MIN_TOLERANCE, (end - start) / 10))


def symptom_events(ci: CheckInput) -> tuple[pl.DataFrame, str]:
    """(events, what they are): the dated symptom's events, or trouble in bursts."""
    target = ci.claims.get(ci.claim.get("dates") or "")
    kind = target.get("kind") if target else None
    if kind in SYMPTOMS:
        events = SYMPTOMS[kind](ci.frame)
        if kind in SPARSE:
            return events, f"{kind} ({target['text']!r})"
        burst = first_burst(events, ci.timeline, 1)
        # no rise above a steady rate: the symptom was there all along, from its first event
        return (burst if burst.height else events), f"{kind} ({target['text']!r})"
    events = first_burst(ci.frame.filter(trouble()), ci.timeline, MIN_BURST)
    return events, "errors, failures or detections above their source's usual rate"


def check(ci: CheckInput) -> Finding:
    start, end, given = ci.window()
    if not given:
        return Finding(Verdict.INCONCLUSIVE, "The statement gives no time to compare the logs with.",
                       missing="When the problem was first noticed (a day, or a time of day).")
    events, what = symptom_events(ci)
    if events.height == 0:
        return Finding(Verdict.INCONCLUSIVE, f"The logs hold no sign of {what}.",
                       missing="A log that records the symptom itself (see the symptom's own finding).")
    events = events.sort(["timestamp", "source_file", "source_line", "event_id"], nulls_last=True)
    first = events["timestamp"][0]
    delta = round((first - start).total_seconds())
    slack = tolerance(start, end)
    files = sorted(set(events["source_file"].to_list()))
    logs_begin = min(s.first for s in ci.timeline.sources if s.source_file in files)
    evidence = pick_evidence(events, first=3)
    context = changes_before(ci.frame, first)
    finding = Finding(Verdict.INCONCLUSIVE, "", evidence, observed(events), delta, context=context)
    at = f"The first sign of {what} is at {ci.show(first)}"
    window = f"the window {ci.show(start)} to {ci.show(end)}"
    if logs_begin > end:
        finding.explanation = (f"{at}, but the logs that show it begin at {ci.show(logs_begin)}, after "
                               f"{window}: an earlier start cannot be seen.")
        finding.missing = f"Logs from before {ci.show(logs_begin)} (the same sources, older rotations)."
    elif first == logs_begin and logs_begin > start + slack:
        finding.explanation = (f"{at}, the first line of its source, which begins inside {window}: the "
                               "symptom may have started earlier, before the logs.")
        finding.missing = f"Logs from before {ci.show(logs_begin)} (the same sources, older rotations)."
    elif first < start - slack:
        early = " (present from the first line of its source)" if first == logs_begin else ""
        finding.verdict = Verdict.CONTRADICTED
        finding.explanation = f"{at}{early}, {_words(-delta)} before {window}."
    elif first > end + slack:
        finding.verdict = Verdict.CONTRADICTED
        finding.explanation = f"{at}, {_words(delta)} after the end of {window}; nothing earlier in the logs."
    else:
        finding.verdict = Verdict.SUPPORTED
        late_start = logs_begin > start
        finding.explanation = (f"{at}, inside {window}" + (f" (the logs begin at {ci.show(logs_begin)}, "
                               "inside the window)" if late_start else "") + ".")
    return finding


def _words(seconds: float) -> str:
    minutes = round(abs(seconds) / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
