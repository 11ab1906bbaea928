"""Crash claims ("Outlook keeps crashing") x timeline -> finding: crash, hang, segfault and core dump events."""

from __future__ import annotations

import polars as pl

from evidence.checks.common import CheckInput, Finding, presence, sources_with

CRASHES = ("crash", "hang", "segfault", "crash_report", "oom_kill")
# Sources that record application crashes by design, even when they hold none.
CRASH_RECORDERS = ("journald",)


def symptom() -> pl.Expr:
    bugcheck = (pl.col("action") == "crash") & (pl.col("category") == "system")
    return pl.col("action").is_in(CRASHES) & ~bugcheck


def check(ci: CheckInput) -> Finding:
    start, end, _ = ci.window()
    hits = ci.frame.filter(symptom())
    able = sources_with(ci.frame, symptom() | pl.col("source_format").is_in(CRASH_RECORDERS))
    return presence(ci, hits, able, start, end, "application crashes, hangs or segfaults",
                    missing="No log that records application crashes: the Windows Application log "
                            "(events 1000, 1001, 1002) or the system journal (segfaults, core dumps).")
