"""The verdict shared by claims that something happened (or never did): a symptom's events and coverage -> finding."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from evidence.checks.baseline import usual_rate
from evidence.checks.citing import names, observed, pick_evidence
from evidence.checks.coverage import covering
from evidence.checks.model import CheckInput, Finding, Verdict


def presence(ci: CheckInput, hits: pl.DataFrame, able: list[str], start: datetime, end: datetime,
             what: str, missing: str, baseline: bool = False) -> Finding:
    """The verdict for claims that something happened (or, denied, never did): events of it in
    the window decide; their absence decides only when a source able to show them covers it.
    With baseline, events at the rate their sources show in the week before the window are
    background (bots probing ssh, a stray 503), not what the customer saw."""
    shown = hits.filter(ci.in_window(start, end))
    span = ci.span(start, end)
    full = covering(ci, able, start, end)
    if shown.height:
        first, last = shown["timestamp"].min(), shown["timestamp"].max()
        usual = usual_rate(ci, hits, shown, start, end) if baseline and not ci.denied else None
        if usual is None:
            verdict = Verdict.CONTRADICTED if ci.denied else Verdict.SUPPORTED
            when = (f"at {ci.show(first)}" if first == last
                    else f"between {ci.show(first)} and {ci.show(last)}")
            return Finding(verdict, f"{shown.height} event(s) of {what} {when}{ci.occurrence_count(shown, start, end)}, "
                                    f"inside the window {span}.", pick_evidence(shown), observed(shown))
        words = (f"{shown.height} {what} in the window {span}, at {usual[0]:.2g} per hour against "
                 f"{usual[1]:.2g} per hour in the week before it: nothing above the usual background")
        if full:
            return Finding(Verdict.CONTRADICTED, words + f", while {names(full)} recorded events throughout it.",
                           pick_evidence(shown), observed(shown))
        return Finding(Verdict.INCONCLUSIVE, words + "; the sources do not cover the whole window.",
                       pick_evidence(shown), observed(shown), missing=f"Logs covering {span}.")
    if full:
        verdict = Verdict.SUPPORTED if ci.denied else Verdict.CONTRADICTED
        quiet = ci.frame.filter(pl.col("source_file").is_in(full) & ci.in_window(start, end))
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
