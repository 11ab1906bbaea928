"""Ingest result + timeline + claims + findings -> the report document (the JSON contract); pure."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import polars as pl

from evidence.checks.model import Finding
from evidence.ingest import IngestResult
from evidence.timeline import Timeline

# Contract keys of a claim, in the order the JSON shows them; the rest follow.
CLAIM_KEYS = ("id", "text", "kind", "polarity", "window", "verdict", "observed", "delta_seconds", "evidence",
              "explanation")
BUCKET_STEPS = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400)
MAX_BUCKETS = 360
UNPARSED_SHOWN = 5
CATEGORY_ORDER = ("auth", "process", "service", "system", "network", "web", "browser", "malware",
                  "performance", "package", "other")
NOTHING_TO_CHECK = "No claim was given: nothing to check; the report holds the timeline summary only."


def claim_entry(claim: dict, finding: Finding) -> dict:
    """A claim as read, with its verdict fields; contract keys first."""
    merged = {**claim, **finding.as_dict()}
    ordered = {key: merged.get(key) for key in CLAIM_KEYS}
    ordered.update({k: v for k, v in merged.items() if k not in ordered})
    return ordered


def build_document(*, version: str, case_name: str, reported_at: datetime, tz: str, ingest: IngestResult,
                   timeline: Timeline, claims: list[dict], findings: dict[str, Finding],
                   not_understood: list[str], notes: list[str] = ()) -> dict:
    zone = ZoneInfo(tz)
    first, last = timeline.first, timeline.last
    warnings = list(ingest.warnings) + _unparsed(ingest) + list(timeline.warnings) + list(notes)
    if not claims:
        warnings.append(NOTHING_TO_CHECK)
    return {
        "caseline_version": version,
        "case": case_name,
        "reported_at": reported_at.astimezone(zone).isoformat(),
        "timezone": tz,
        "inputs": [s.as_dict() for s in ingest.inputs],
        "coverage": {"first": first.isoformat() if first else None, "last": last.isoformat() if last else None},
        "assumptions": _unique(list(ingest.assumptions) + list(timeline.assumptions)),
        "claims": [claim_entry(c, findings[c["id"]]) for c in claims],
        "not_understood": list(not_understood),
        "unrecognized": [{"source_file": s.source_file, "sha256": s.sha256, "reason": s.reason}
                         for s in ingest.unrecognized],
        "warnings": _unique(warnings),
        "timeline": {
            "events": timeline.frame.height,
            "sources": [s.as_dict() for s in timeline.sources],
            "hosts": timeline.hosts,
            "gaps": [g.as_dict() for g in timeline.gaps],
            "skews": [s.as_dict() for s in timeline.skews],
            "duplicates": timeline.duplicates,
        },
        "chart": chart(timeline.frame, zone),
    }


def chart(frame: pl.DataFrame, zone: ZoneInfo) -> dict | None:
    """Events per category per bucket; buckets of a day or more start at local midnight."""
    if frame.height == 0:
        return None
    first, last = frame["timestamp"].min(), frame["timestamp"].max()
    span = (last - first).total_seconds()
    bucket = next((s for s in BUCKET_STEPS if span / s < MAX_BUCKETS), BUCKET_STEPS[-1])
    local = first.astimezone(zone)
    # align on the local clock: 09:00, 09:15 ... or local midnight
    since_midnight = (local - local.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds()
    start = local - timedelta(seconds=since_midnight % bucket if bucket < 86400 else since_midnight,
                              microseconds=0)
    size = int((last - start).total_seconds() // bucket) + 1
    origin = start.astimezone(timezone.utc)
    counts = (frame.with_columns(((pl.col("timestamp") - origin).dt.total_seconds() // bucket).cast(pl.Int64)
                                 .alias("_b"), pl.col("category").fill_null("other"))
              .group_by("category", "_b").len())
    present = set(counts["category"].to_list())
    categories = [c for c in CATEGORY_ORDER if c in present] + sorted(present - set(CATEGORY_ORDER))
    series = []
    for category in categories:
        row = [0] * size
        for b, n in counts.filter(pl.col("category") == category).select("_b", "len").iter_rows():
            row[min(max(b, 0), size - 1)] += n
        series.append({"category": category, "counts": row})
    return {"bucket_seconds": bucket, "start": start.isoformat(),
            "end": (start + timedelta(seconds=bucket * size)).isoformat(),
            "categories": categories, "series": series}


def _unparsed(ingest: IngestResult) -> list[str]:
    lines = []
    for summary in ingest.inputs:
        for item in summary.unparsed_details[:UNPARSED_SHOWN]:
            where = f"{item.source_file}:{item.line}" if item.line is not None else f"{item.source_file} record {item.record}"
            lines.append(f"{where}: {item.reason}: {item.excerpt!r}")
        more = summary.unparsed - min(summary.unparsed, UNPARSED_SHOWN)
        if more > 0:
            lines.append(f"{summary.source_file}: {more} more unparsed lines")
    return lines


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
