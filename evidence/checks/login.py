"""Login claims ("I can't log in", "account locked") x timeline -> finding: failures and lockouts."""

from __future__ import annotations

import polars as pl

from evidence.checks.common import CheckInput, Finding, presence, sources_with

FAILURES = ("login_failed", "account_locked")


def symptom() -> pl.Expr:
    return pl.col("action").is_in(FAILURES)


def check(ci: CheckInput) -> Finding:
    start, end, _ = ci.window()
    hits = ci.frame.filter(symptom())
    able = sources_with(ci.frame, pl.col("category") == "auth")
    return presence(ci, hits, able, start, end, baseline=True, what="failed logins or account lockouts",
                    missing="No authentication log in the case: the Windows Security log (events 4625, "
                            "4740) or /var/log/auth.log (secure) would show failed logins and lockouts.")
