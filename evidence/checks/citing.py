"""Timeline rows -> what a finding cites: evidence lines, the observed span, the files named in words."""

from __future__ import annotations

import polars as pl

from parsers.schema import SEVERITY_RANK

MAX_EVIDENCE = 10
CITE_ORDER = ["timestamp", "source_file", "source_line", "event_id"]


def severity_rank() -> pl.Expr:
    return pl.col("severity").replace_strict(SEVERITY_RANK, default=1, return_dtype=pl.Int64)


def evidence_rows(frame: pl.DataFrame) -> list[dict]:
    """Events as the report cites them, in time order."""
    rows = frame.sort(CITE_ORDER, nulls_last=True)
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
    ordered = frame.sort(CITE_ORDER, nulls_last=True)
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


def names(files: list[str], shown: int = 3) -> str:
    """A list of files in an explanation: the first few, then how many more."""
    more = len(files) - shown
    return ", ".join(files[:shown]) + (f" and {more} more" if more > 0 else "")
