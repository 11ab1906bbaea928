"""Timeline coverage -> which sources could show a symptom in a check's window, and for how long they ran."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from evidence.checks.model import CheckInput
from evidence.timeline import Timeline

# Sources may stop a little before the call or start a little after the window opens.
EDGE_SLACK_SHARE = 0.05
MAX_EDGE_SLACK = timedelta(hours=1)


def sources_with(frame: pl.DataFrame, expr: pl.Expr) -> list[str]:
    """Files holding at least one event matching expr: the sources that can show it."""
    return sorted(frame.filter(expr)["source_file"].unique().to_list())


def edge_slack(start: datetime, end: datetime) -> timedelta:
    return min(MAX_EDGE_SLACK, (end - start) * EDGE_SLACK_SHARE)


def covering(ci: CheckInput, source_files: list[str], start: datetime, end: datetime) -> list[str]:
    """Those of source_files that cover the whole window without a gap."""
    slack = edge_slack(start, end)
    return [name for name in source_files if ci.timeline.covers(name, start, end, slack)]


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
