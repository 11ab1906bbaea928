"""Change claims ("nobody changed anything") x timeline -> finding: installs, updates, config and account changes."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from evidence.checks.common import CHANGE_ACTIONS, CheckInput, Finding, presence, sources_with

# A denial with no time ("nobody changed anything") is read over the week before the report.
LOOKBACK = timedelta(days=7)
PACKAGE_FORMATS = ("apt_history", "dpkg", "yum", "dnf")


def symptom() -> pl.Expr:
    return pl.col("action").is_in(CHANGE_ACTIONS)


def check(ci: CheckInput) -> Finding:
    start, end, given = ci.window()
    if not given:
        start = ci.reported_at - LOOKBACK
    hits = ci.frame.filter(symptom())
    able = sources_with(ci.frame, symptom() | pl.col("source_format").is_in(PACKAGE_FORMATS))
    return presence(ci, hits, able, start, end, "package, update, configuration or account changes",
                    missing="No record of changes in the case: the package manager history "
                            "(/var/log/apt/history.log, dpkg.log, yum/dnf logs) or the Windows System and "
                            "Setup logs (updates, installs) would show them.")
