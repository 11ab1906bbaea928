"""Report document -> display values for the one-page pre-call fact sheet."""

from __future__ import annotations

from datetime import tzinfo

from reports.humanize import count_words, humanize_duration
from reports.timefmt import case_zone, parse, show
from reports.view import VERDICT_HEADINGS, VERDICTS, summary

# One printed page: longer lists are cut and point to the full summary.
MAX_EVIDENCE = 2
MAX_CONTEXT = 2
MAX_CAUSES = 3
MAX_SOURCES = 8
MAX_NOTES = 6
MAX_MESSAGE = 150
# Logs stop a little before a call; shorter gaps at the edges are not worth a line.
MIN_GAP_SECONDS = 60
# Differences first: they are what the call is about.
FACTSHEET_ORDER = ("contradicted", "supported", "inconclusive")


def _short(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _cap(items: list, limit: int) -> tuple[list, int]:
    return items[:limit], max(len(items) - limit, 0)


def _trim_claim(claim: dict) -> dict:
    trimmed = dict(claim)
    for key, limit in (("evidence", MAX_EVIDENCE), ("context", MAX_CONTEXT)):
        items, more = _cap([{**e, "message": _short(e["message"])} for e in claim[key]], limit)
        trimmed[key], trimmed[key + "_more"] = items, more
    causes, trimmed["likely_causes_more"] = _cap(claim["likely_causes"], MAX_CAUSES)
    trimmed["likely_causes"] = [
        {"label": c["label"], "evidence_count": count_words(len(c["evidence"]), "cited event")}
        for c in causes
    ]
    return trimmed


def _window_limits(doc: dict, zone: tzinfo) -> list[str]:
    """Claimed windows reaching outside what the logs cover: the logs cannot speak there."""
    coverage = doc.get("coverage") if isinstance(doc.get("coverage"), dict) else {}
    first, last = parse(coverage.get("first")), parse(coverage.get("last"))
    if not (first and last):
        return []
    reported = parse(doc.get("reported_at"))
    limits = []
    for claim in doc.get("claims") or []:
        window = claim.get("window") if isinstance(claim, dict) else None
        if not isinstance(window, dict):
            continue
        label = str(claim.get("id") or "claim")
        start, end = parse(window.get("start")), parse(window.get("end"))
        # Logs cannot cover the future: a window running past the report time is cut there.
        if end and reported:
            end = min(end, reported)
        if start and (first - start).total_seconds() >= MIN_GAP_SECONDS:
            limits.append(f"{label}: the stated window starts "
                          f"{humanize_duration((first - start).total_seconds())} before the earliest "
                          f"log event ({show(coverage.get('first'), zone, seconds=False)}).")
        if end and (end - last).total_seconds() >= MIN_GAP_SECONDS:
            limits.append(f"{label}: the stated window ends "
                          f"{humanize_duration((end - last).total_seconds())} after the latest "
                          f"log event ({show(coverage.get('last'), zone, seconds=False)}).")
    return limits


def factsheet(doc: dict) -> dict:
    """The summary view cut to one page, claims grouped by what the logs can say."""
    base = summary(doc)
    zone = case_zone(doc)
    groups = [
        {"verdict": v, "heading": VERDICT_HEADINGS[v],
         "claims": [_trim_claim(c) for c in base["claims"] if c["verdict"] == v]}
        for v in FACTSHEET_ORDER
    ]
    unknown = [_trim_claim(c) for c in base["claims"] if c["verdict"] not in VERDICTS]
    if unknown:
        groups.append({"verdict": "unknown", "heading": "Not checked", "claims": unknown})
    coverage = base["coverage"]
    limits = [f"The logs cover {coverage['first']} to {coverage['last']} ({coverage['span']})."
              if coverage["known"] else "The logs hold no dated event."]
    limits += _window_limits(doc, zone)
    limits += [f"{s.get('source_file')}: {count_words(s.get('unparsed'), 'line')} not parsed."
               for s in doc.get("inputs") or [] if isinstance(s.get("unparsed"), int) and s["unparsed"] > 0]
    limits += [f"{u['source_file']}: not read ({u['reason']})." for u in base["unrecognized"]]
    sources, sources_more = _cap(base["sources"], MAX_SOURCES)
    assumptions, assumptions_more = _cap(base["assumptions"], MAX_NOTES)
    warnings, warnings_more = _cap(base["warnings"], MAX_NOTES)
    return {
        **base,
        "groups": [g for g in groups if g["claims"]],
        "limits": limits,
        "sources": sources,
        "sources_more": sources_more,
        "source_count": count_words(len(base["sources"]), "file"),
        "event_total": count_words(sum(s.get("events") or 0 for s in doc.get("inputs") or []), "event"),
        "assumptions": assumptions,
        "assumptions_more": assumptions_more,
        "warnings": [_short(w) for w in warnings],
        "warnings_more": warnings_more,
    }
