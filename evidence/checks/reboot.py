"""Reboot claims ("it keeps restarting") x timeline -> finding: boots, unexpected shutdowns, panics, watchdogs."""

from __future__ import annotations

import polars as pl

from evidence.checks.common import CheckInput, Finding, presence, sources_with

RESTARTS = ("boot", "shutdown_unexpected", "kernel_panic", "watchdog")


def symptom() -> pl.Expr:
    bugcheck = (pl.col("action") == "crash") & (pl.col("category") == "system")
    return pl.col("action").is_in(RESTARTS) | bugcheck


def check(ci: CheckInput) -> Finding:
    start, end, _ = ci.window()
    hits = ci.frame.filter(symptom())
    # a system log that runs through the window would have recorded the boot
    able = sources_with(ci.frame, (pl.col("category") == "system") | symptom())
    return presence(ci, hits, able, start, end, "boots, unexpected shutdowns, panics or watchdog resets",
                    missing="No system log in the case: the Windows System log (events 6005, 6008, 41, 1001) "
                            "or the system journal / syslog would show every boot.")
