"""Onset claims ("it started two days ago") x timeline -> finding: when the symptom first shows, against the window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import polars as pl

from evidence.checks import change, crash, login, outage, popup, reboot, slowness
from evidence.checks.baseline import first_burst
from evidence.checks.change import changes_before
from evidence.checks.citing import CITE_ORDER, evidence_rows, names, observed, pick_evidence
from evidence.checks.coverage import covered_time
from evidence.checks.model import CheckInput, Finding, Verdict, between
from evidence.checks.services import about, service_named
from evidence.checks.subject import subject_of
from evidence.timeline import duration_words

# Each symptom kind -> the events that show it, for the symptom claim dated.
SYMPTOMS: dict[str, Callable[[pl.DataFrame, dict], pl.DataFrame]] = {
    "slowness": lambda frame, _: slowness.symptoms(frame),
    "popup": lambda frame, _: frame.filter(popup.symptom()),
    "outage": lambda frame, _: frame.filter(outage.symptom()),
    # the named account's failures, never scanners trying accounts that do not exist
    "login": lambda frame, target: login.failures_for(frame, target).mine,
    "reboot": lambda frame, _: reboot.unplanned(frame),
    "crash": lambda frame, _: frame.filter(crash.symptom()),
    "change": lambda frame, _: frame.filter(change.symptom()),
}
# Each symptom kind -> its own check: whether the symptom shows at all since the onset.
SYMPTOM_CHECKS: dict[str, Callable[[CheckInput], Finding]] = {
    "slowness": slowness.check, "popup": popup.check, "outage": outage.check, "login": login.check,
    "reboot": reboot.check, "crash": crash.check, "change": change.check,
}
# Healthy activity cited against an onset that never came: answered requests (2xx, 3xx), and
# whatever else succeeded.
HEALTHY_STATUS = r"^[23]\d\d$"
HEALTHY_SHOWN = 3
# Symptoms whose events name the program they are about.
SUBJECT_KINDS = ("crash", "outage")
# A burst is at least this many events in one of its source's time buckets, above the source's
# usual rate: one stray 504 in a file that is usually silent is background, not an onset.
MIN_BURST = 3
# Symptoms a source logs only when they happen: the first one is the onset.
SPARSE = ("reboot", "crash", "change", "popup", "slowness")
MAX_TOLERANCE = timedelta(hours=1)
MIN_TOLERANCE = timedelta(minutes=5)
# How long the start a "since X" names lasts, by the phrase's precision: "since Monday" names a
# day, "since this morning" a part of the day (six hours; a clock time "since 9" is narrower,
# and the longer reading is taken so a start late in the named morning is not called late).
NAMED_SPAN = {"minute": timedelta(minutes=1), "hour": timedelta(hours=6), "day": timedelta(days=1)}
# A window that ends this close to the report is open ("since X"), not a point in the past.
OPEN_END = timedelta(minutes=1)


def trouble() -> pl.Expr:
    """Anything going wrong; 4xx answers (scanners, stale links) are the clients' trouble."""
    wrong = (pl.col("severity").is_in(("error", "critical")) | (pl.col("outcome") == "failure")
             | (pl.col("action") == "threat_detected"))
    return wrong & ~outage.client_error()


def tolerance(start: datetime, end: datetime) -> timedelta:
    """Room for the customer's rounding: a tenth of the window, between 5 min and 1 h."""
    return min(MAX_TOLERANCE, max(MIN_TOLERANCE, (end - start) / 10))


def named_end(ci: CheckInput, start: datetime, end: datetime) -> datetime:
    """The end of the time the phrase names. A "since X" window runs to the report, but it
    names X: "since Monday" says it began on Monday, not at any time up to the call."""
    span = NAMED_SPAN.get(str(ci.claim.get("precision")))
    if span is None or end < ci.reported_at - OPEN_END:
        return end
    return min(end, start + span)


def symptom_events(ci: CheckInput) -> tuple[pl.DataFrame, str, pl.DataFrame]:
    """(events from the onset on, what they are, earlier events left as background): the dated
    symptom's events, or trouble in bursts."""
    target = ci.claims.get(ci.claim.get("dates") or "")
    kind = target.get("kind") if target else None
    if kind in SYMPTOMS:
        events = SYMPTOMS[kind](ci.frame, target)
        what = f"{kind} ({target['text']!r})"
        # "Outlook keeps crashing since Monday" dates Outlook's crashes, when the logs name them
        subject = subject_of(target) if kind in SUBJECT_KINDS else None
        if subject is not None and (mine := events.filter(subject.matches())).height:
            events = mine
        # "can't reach the file server since this morning": its connections, not the chat client's
        service = service_named(target) if kind in SUBJECT_KINDS else None
        if service is not None and (mine := events.filter(about(service))).height:
            events = mine
        if kind in SPARSE:
            return events, what, events.clear()
        burst = first_burst(events, ci.timeline, MIN_BURST)
        if burst.height == 0:
            # no rise above a steady rate: the symptom was there all along, from its first event
            return events, what, events.clear()
        return burst, what, events.filter(pl.col("timestamp") < burst["timestamp"].min())
    trouble_rows = ci.frame.filter(trouble())
    events = first_burst(trouble_rows, ci.timeline, MIN_BURST)
    background = (trouble_rows.filter(pl.col("timestamp") < events["timestamp"].min()) if events.height
                  else trouble_rows.clear())
    return events, "errors, failures or detections above their source's usual rate", background


def check(ci: CheckInput) -> Finding:
    start, end, given = ci.window()
    if not given:
        return Finding(Verdict.INCONCLUSIVE, "The statement gives no time to compare the logs with.",
                       missing="When the problem was first noticed (a day, or a time of day).")
    events, what, background = symptom_events(ci)
    if events.height == 0:
        return _never(ci, what, start, end)
    events = events.sort(CITE_ORDER, nulls_last=True)
    first = events["timestamp"][0]
    delta = round((first - start).total_seconds())
    named = named_end(ci, start, end)
    slack = tolerance(start, named)
    files = sorted(set(events["source_file"].to_list()))
    logs_begin = min(s.first for s in ci.timeline.sources if s.source_file in files)
    evidence = pick_evidence(events, first=3)
    context = changes_before(ci.frame, first)
    finding = Finding(Verdict.INCONCLUSIVE, "", evidence, observed(events), delta, context=context)
    at = f"The first sign of {what} is at {ci.show(first)}"
    window = f"the window {ci.show(start)} to {ci.show(end)}"
    if named < end:
        window = f"{ci.show(start)} to {ci.show(named)}, the start the statement names"
    if logs_begin > named + slack:
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
        finding.explanation = f"{at}{early}, {duration_words(-delta)} before {window}."
    elif first > named + slack and (answered := _answered(ci, start, first)).height:
        last_ok = answered["timestamp"].max()
        finding.verdict = Verdict.CONTRADICTED
        finding.explanation = (f"{at}, {duration_words((first - named).total_seconds())} after {window}; the "
                               f"service it is about answered {answered.height} time(s) from {ci.show(start)} on, "
                               f"the last at {ci.show(last_ok)}: it was reachable after the start the statement names.")
        cited = pick_evidence(events, first=3)[:7] + evidence_rows(answered.sort(CITE_ORDER).tail(3))
        finding.evidence = sorted(cited, key=lambda e: (e["timestamp"], e["event_id"]))
    elif first > named + slack:
        _late(ci, finding, at, window, files, start, named, first, slack)
    else:
        finding.verdict = Verdict.SUPPORTED
        late_start = logs_begin > start
        finding.explanation = (f"{at}, inside {window}" + (f" (the logs begin at {ci.show(logs_begin)}, "
                               "inside the window)" if late_start else "") + ".")
    if background.height:
        finding.explanation += " " + _background_words(ci, background)
    return finding


def _answered(ci: CheckInput, start: datetime, first: datetime) -> pl.DataFrame:
    """Successful connections to the server an outage claim names, between the claimed start and
    the first failure: a server that answered then was not down since the claimed start."""
    target = ci.claims.get(ci.claim.get("dates") or "")
    service = service_named(target) if target and target.get("kind") == "outage" else None
    if service is None:
        return ci.frame.clear()
    return ci.frame.filter(about(service) & (pl.col("outcome") == "success")
                           & pl.col("timestamp").is_between(start, first, closed="left"))


def _never(ci: CheckInput, what: str, start: datetime, end: datetime) -> Finding:
    """No sign of the symptom in the logs at all. When the symptom's own check finds the logs
    that would show it running through the time since the onset without it (requests answered,
    services up), nothing started then: the onset is contradicted by that healthy activity.
    Otherwise the logs cannot tell."""
    target = ci.claims.get(ci.claim.get("dates") or "")
    verdict = _symptom_verdict(ci, target) if target else None
    if verdict is not None and verdict.verdict == Verdict.CONTRADICTED and verdict.evidence:
        files = sorted({e["source_file"] for e in verdict.evidence})
        healthy = _healthy(ci.frame.filter(pl.col("source_file").is_in(files)), start, end)
        if healthy.height:
            shown = healthy.sort(CITE_ORDER, nulls_last=True)
            return Finding(Verdict.CONTRADICTED,
                           f"The logs hold no sign of {what}: {names(files)} ran through the time from "
                           f"{ci.show(start)} on with {healthy.height} healthy event(s) in the window "
                           f"{ci.show(start)} to {ci.show(end)}, the first at {ci.show(shown['timestamp'][0])}. "
                           "Nothing started then.",
                           evidence_rows(shown.head(HEALTHY_SHOWN)), observed(healthy))
    return Finding(Verdict.INCONCLUSIVE, f"The logs hold no sign of {what}.",
                   missing="A log that records the symptom itself (see the symptom's own finding).")


def _symptom_verdict(ci: CheckInput, target: dict) -> Finding | None:
    """The dated symptom's own finding, from the onset on (its dating window)."""
    check = SYMPTOM_CHECKS.get(str(target.get("kind")))
    if check is None or target.get("polarity") != "asserted":
        return None
    return check(CheckInput(target, ci.timeline, ci.reported_at, ci.claims, ci.zone))


def _healthy(frame: pl.DataFrame, start: datetime, end: datetime) -> pl.DataFrame:
    """Events in the window that show things working: 2xx/3xx answers, successes."""
    ok_status = pl.col("event_code").fill_null("").str.contains(HEALTHY_STATUS)
    web = (pl.col("category") == "web") | (pl.col("action") == "http_request")
    good = pl.when(web).then(ok_status).otherwise(pl.col("outcome") == "success").fill_null(False)
    rows = frame.filter(between(start, end) & ~trouble().fill_null(False))
    healthy = rows.filter(good)
    # a source with no notion of success (a metrics file, a heartbeat) is healthy by running clean
    return healthy if healthy.height else rows


def _background_words(ci: CheckInput, background: pl.DataFrame) -> str:
    low, high = background["timestamp"].min(), background["timestamp"].max()
    when = f"at {ci.show(low)}" if low == high else f"from {ci.show(low)} to {ci.show(high)}"
    return (f"{background.height} earlier event(s) of it {when} are no burst, only their source's usual "
            "background, and do not date the onset.")


def _late(ci: CheckInput, finding: Finding, at: str, window: str, files: list[str], start: datetime,
          named: datetime, first: datetime, slack: timedelta) -> None:
    """A first sign after the named start: late only if the logs ran clean through more than the
    named time itself; logs that miss that time cannot tell a late start from an unseen one."""
    clean = covered_time(ci.timeline, files, start, first)
    allowed = named - start + slack
    words = f"{at}, {duration_words((first - named).total_seconds())} after {window}"
    if clean > allowed:
        finding.verdict = Verdict.CONTRADICTED
        finding.explanation = (f"{words}; {names(files)} ran for {duration_words(clean.total_seconds())} of the time "
                               f"from {ci.show(start)} to it with no sign of it.")
        return
    finding.explanation = (f"{words}, but {names(files)} cover only {duration_words(clean.total_seconds())} of "
                           f"the time from {ci.show(start)} to it: an earlier start cannot be ruled out.")
    finding.missing = f"Logs of the same kind covering {ci.show(start)} to {ci.show(first)}."

