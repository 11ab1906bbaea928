"""Synthetic event frames for the evidence tests: events built by hand, conformed to the schema."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl

from evidence.checks import CheckInput
from evidence.timeline import build_timeline
from parsers.schema import conform

T0 = datetime(2026, 11, 20, 0, 0, tzinfo=timezone.utc)
REPORTED = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def at(hours: float) -> datetime:
    """T0 + hours: every test speaks in hours from one origin."""
    return T0 + timedelta(hours=hours)


def ev(source: str, line: int, hours: float, action: str = "log_line", *, category: str = "system",
       outcome: str = "unknown", quality: str = "exact", fmt: str | None = None, **fields) -> dict:
    row = {"event_id": f"{source[:8]}:{line}", "timestamp": at(hours), "timestamp_quality": quality,
           "source_format": fmt or source.split(".")[0], "source_file": source, "source_line": line,
           "host": "web-01", "category": category, "action": action, "outcome": outcome,
           "message": fields.pop("message", f"{action} {line}"), "raw": f"raw {source}:{line}"}
    row.update(fields)
    return row


def frame(rows: list[dict]) -> pl.DataFrame:
    return conform(pl.DataFrame(rows, infer_schema_length=None))


def heartbeat(source: str, start: float, end: float, every_minutes: float = 10, first_line: int = 1000,
              **fields) -> list[dict]:
    """A source that writes steadily from start to end (hours): what coverage looks like."""
    rows, line, hours = [], first_line, start
    while hours <= end + 1e-9:
        rows.append(ev(source, line, hours, message=f"tick {line}", **fields))
        line += 1
        hours += every_minutes / 60
    return rows


def metric(source: str, start: float, end: float, name: str, value, every_minutes: float = 10,
           first_line: int = 1) -> list[dict]:
    """Samples of one metric; value is a number or a function of the hour."""
    rows, line, hours = [], first_line, start
    while hours <= end + 1e-9:
        v = value(hours) if callable(value) else value
        rows.append(ev(source, line, hours, "metric_sample", category="performance", metric_name=name,
                       metric_value=float(v), message=f"{name} = {v}"))
        line += 1
        hours += every_minutes / 60
    return rows


def claim(kind: str, start: float | None = None, end: float | None = None, polarity: str = "asserted",
          cid: str = "c1", dates: str | None = None, text: str = "") -> dict:
    window = None if start is None else {"start": at(start).isoformat(), "end": at(end).isoformat() if end is not None else None}
    return {"id": cid, "text": text or f"{kind} claim", "kind": kind, "polarity": polarity, "window": window,
            "precision": "hour", "dates": dates, "lang": "en"}


def check_input(rows: list[dict], the_claim: dict, others: list[dict] = (), reported: datetime = REPORTED) -> CheckInput:
    claims = {c["id"]: c for c in [the_claim, *others]}
    return CheckInput(the_claim, build_timeline(frame(rows)), reported, claims)
