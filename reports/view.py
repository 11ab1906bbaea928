"""Report document -> display values for the templates (templates only loop and branch)."""

from __future__ import annotations

import re
from datetime import tzinfo

from reports import chart
from reports.humanize import count_words, delta_words, humanize_duration
from reports.timefmt import ABSENT, case_zone, parse, show, show_window

VERDICTS = ("supported", "contradicted", "inconclusive")
# What each verdict means, in the neutral words the fact sheet uses as headings.
VERDICT_HEADINGS = {
    "supported": "Consistent with the logs",
    "contradicted": "Not consistent with the logs",
    "inconclusive": "Cannot be settled from these logs",
}


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _anchor(value: object) -> str:
    """A safe fragment id: the claim id can be anything the document holds."""
    return "claim-" + (re.sub(r"[^A-Za-z0-9_-]", "-", _text(value)) or "x")


def evidence_item(event: object, zone: tzinfo) -> dict:
    """One cited event: where it is (file:line or file record N), when, what it says."""
    event = event if isinstance(event, dict) else {"message": _text(event)}
    source, line, record = _text(event.get("source_file")), event.get("source_line"), event.get("source_record")
    if line is not None:
        where = f"{source}:{line}"
    elif record not in (None, ""):
        where = f"{source} record {record}"
    else:
        where = source
    return {
        "event_id": _text(event.get("event_id")),
        "where": where,
        "timestamp": show(event.get("timestamp"), zone) if event.get("timestamp") else ABSENT,
        "message": _text(event.get("message") or event.get("raw")),
        "action": _text(event.get("action")),
    }


def _within(window: object, first: object) -> bool | None:
    if not isinstance(window, dict):
        return None
    start, end, moment = parse(window.get("start")), parse(window.get("end")), parse(first)
    if moment is None or (start is None and end is None):
        return None
    return (start is None or start <= moment) and (end is None or moment <= end)


def claim_item(claim: dict, zone: tzinfo) -> dict:
    observed = claim.get("observed") if isinstance(claim.get("observed"), dict) else None
    verdict = _text(claim.get("verdict")).lower()
    delta = claim.get("delta_seconds")
    first = observed.get("first") if observed else None
    return {
        "id": _text(claim.get("id")),
        "anchor": _anchor(claim.get("id")),
        "text": _text(claim.get("text")),
        "kind": _text(claim.get("kind")) or ABSENT,
        # the program or service the customer named ("outlook"); empty when none
        "subject": _text(claim.get("subject")),
        "polarity": _text(claim.get("polarity")) or ABSENT,
        "verdict": verdict or "unchecked",
        "verdict_class": verdict if verdict in VERDICTS else "unknown",
        "window": show_window(claim.get("window"), zone),
        "observed": observed is not None,
        "first": show(first, zone, seconds=False) if observed else ABSENT,
        "last": show(observed.get("last"), zone, seconds=False) if observed else ABSENT,
        "count": f"{_int(observed.get('count')):,}" if observed else ABSENT,
        "measured": isinstance(delta, (int, float)) or _within(claim.get("window"), first) is True,
        "difference": delta_words(delta if isinstance(delta, (int, float)) else None,
                                  within_window=_within(claim.get("window"), first)),
        "explanation": _text(claim.get("explanation")),
        "missing": _text(claim.get("missing")),
        "evidence": [evidence_item(e, zone) for e in claim.get("evidence") or []],
        "context": [evidence_item(e, zone) for e in claim.get("context") or []],
        "likely_causes": [
            {"label": _text(cause.get("label")),
             "evidence": [evidence_item(e, zone) for e in cause.get("evidence") or []]}
            for cause in claim.get("likely_causes") or [] if isinstance(cause, dict)
        ],
    }


def _case_name(doc: dict) -> str:
    case = doc.get("case")
    if isinstance(case, dict):
        case = case.get("name") or case.get("path")
    return _text(case) or "unnamed case"


def _source_item(source: dict, zone: tzinfo) -> dict:
    return {
        "source_file": _text(source.get("source_file")),
        "source_format": _text(source.get("source_format")) or ABSENT,
        "sha256": _text(source.get("sha256")),
        "sha256_short": _text(source.get("sha256"))[:12],
        "events": f"{_int(source.get('events')):,}",
        "unparsed": f"{_int(source.get('unparsed')):,}",
        "first": show(source.get("first"), zone, seconds=False),
        "last": show(source.get("last"), zone, seconds=False),
    }


def _coverage(doc: dict, zone: tzinfo) -> dict:
    coverage = doc.get("coverage") if isinstance(doc.get("coverage"), dict) else {}
    first, last = parse(coverage.get("first")), parse(coverage.get("last"))
    span = humanize_duration((last - first).total_seconds()) if first and last else ""
    # Keys beyond first/last (gaps, per-host ranges) are shown as they are, never dropped.
    other = [{"key": _text(k), "value": _text(v)} for k, v in coverage.items() if k not in ("first", "last")]
    return {"first": show(coverage.get("first"), zone), "last": show(coverage.get("last"), zone),
            "span": span, "known": bool(first and last), "other": other}


def _timeline(doc: dict, zone: tzinfo) -> dict:
    buckets = chart.read_buckets(doc.get("chart"))
    claims = [c for c in doc.get("claims") or [] if isinstance(c, dict)]
    svg = chart.timeline_svg(buckets, claims, doc.get("reported_at"), zone)
    legend = []
    if buckets:
        palette = chart.colours(buckets.categories)
        legend = [{"category": c, "colour": palette[c], "total": f"{sum(buckets.counts.get(c, [])):,}"}
                  for c in buckets.categories if sum(buckets.counts.get(c, []))]
    return {
        "svg": svg,
        "has_bars": buckets is not None,
        "legend": legend,
        "bucket": chart.bucket_words(buckets),
        "total": count_words(sum(map(sum, buckets.counts.values())), "event") if buckets else "",
        "start": show(buckets.start.isoformat(), zone, seconds=False) if buckets else ABSENT,
        "end": show(buckets.end.isoformat(), zone, seconds=False) if buckets else ABSENT,
    }


def _strings(value: object) -> list[str]:
    return [_text(v) for v in value] if isinstance(value, list) else []


def summary(doc: dict) -> dict:
    """Everything the HTML summary and the Markdown show, computed once from the document."""
    zone = case_zone(doc)
    claims = [claim_item(c, zone) for c in doc.get("claims") or [] if isinstance(c, dict)]
    counts = {v: sum(c["verdict"] == v for c in claims) for v in VERDICTS}
    return {
        "case": _case_name(doc),
        "reported_at": show(doc.get("reported_at"), zone, seconds=False, weekday=True),
        "timezone": _text(doc.get("timezone")) or ABSENT,
        "version": _text(doc.get("caseline_version")) or ABSENT,
        "claims": claims,
        "claim_count": count_words(len(claims), "claim"),
        "verdict_counts": [{"verdict": v, "count": counts[v]} for v in VERDICTS if counts[v]],
        "not_understood": _strings(doc.get("not_understood")),
        "timeline": _timeline(doc, zone),
        "sources": [_source_item(s, zone) for s in doc.get("inputs") or [] if isinstance(s, dict)],
        "unrecognized": [
            {"source_file": _text(u.get("source_file")), "sha256": _text(u.get("sha256")),
             "reason": _text(u.get("reason"))}
            for u in doc.get("unrecognized") or [] if isinstance(u, dict)
        ],
        "coverage": _coverage(doc, zone),
        "assumptions": _strings(doc.get("assumptions")),
        "warnings": _strings(doc.get("warnings")),
    }
