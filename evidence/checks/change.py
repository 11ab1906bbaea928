"""Change claims ("nobody changed anything") x timeline -> finding; and what changed before an onset (its context)."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from evidence.checks.citing import MAX_EVIDENCE, evidence_rows
from evidence.checks.coverage import sources_with
from evidence.checks.model import CheckInput, Finding
from evidence.checks.presence import presence

# What changed: the context of every onset, and what a "nobody changed anything" denies.
CHANGE_ACTIONS = ("package_install", "package_upgrade", "package_remove", "update", "config_change",
                  "password_change", "account_created", "account_deleted", "account_changed",
                  "service_install", "task_created", "time_change")
RESTART_ACTIONS = ("service_start", "service_stop")
# Windows assigns special privileges (4672) at every administrator logon: no act of its own.
LOGON_PRIVILEGES = ("4672",)
# Accounts that are administrators whatever the logs show them doing.
ADMIN_ACCOUNTS = ("root", "administrator")
# How far before a privileged command the login that opened its session may lie.
SESSION_BEFORE = timedelta(hours=2)
# A denial with no time ("nobody changed anything") is read over the week before the report.
LOOKBACK = timedelta(days=7)
PACKAGE_FORMATS = ("apt_history", "dpkg", "yum", "dnf")
# Changes this long before an onset are its context.
CONTEXT_BEFORE = timedelta(hours=1)


def symptom() -> pl.Expr:
    return pl.col("action").is_in(CHANGE_ACTIONS)


def privileged() -> pl.Expr:
    """A command run with privileges (sudo COMMAND=..., auditd's sudo), not the privileges Windows
    hands every administrator at logon."""
    return ((pl.col("action") == "privilege_use") & (pl.col("outcome").fill_null("") != "failure")
            & ~pl.col("event_code").fill_null("").is_in(LOGON_PRIVILEGES))


def interventions(frame: pl.DataFrame, start: datetime, end: datetime) -> pl.DataFrame:
    """Someone at the machine with an administrator's hands in the window: privileged commands,
    the login that opened each command's session (the same account's last login in the hours
    before it), and logins of root / Administrator. An account's other logins are no change."""
    inside = frame.filter(pl.col("timestamp").is_between(start, end))
    commands = inside.filter(privileged())
    logins = inside.filter((pl.col("action") == "login") & (pl.col("outcome") == "success"))
    account = pl.col("user").str.to_lowercase()
    chosen = [logins.filter(account.is_in(list(ADMIN_ACCOUNTS)))]
    for user, moment in commands.select(account.alias("u"), "timestamp").drop_nulls().unique().iter_rows():
        before = logins.filter((account == user) & pl.col("timestamp").is_between(moment - SESSION_BEFORE, moment))
        chosen.append(before.sort("timestamp").tail(1))
    return pl.concat([commands, *chosen])


def check(ci: CheckInput) -> Finding:
    start, end, given = ci.window()
    if not given:
        start = ci.reported_at - LOOKBACK
    hits = ci.frame.filter(symptom())
    what = "package, update, configuration or account changes"
    if ci.denied:
        # "nobody touched it": an administrator logging in and running commands is touching it
        hits = pl.concat([hits, interventions(ci.frame, start, end)]).unique("event_id", maintain_order=True)
        what += ", privileged commands or administrator logins"
    able = sources_with(ci.frame, symptom() | pl.col("source_format").is_in(PACKAGE_FORMATS))
    return presence(ci, hits, able, start, end, what,
                    missing="No record of changes in the case: the package manager history "
                            "(/var/log/apt/history.log, dpkg.log, yum/dnf logs) or the Windows System and "
                            "Setup logs (updates, installs) would show them.")


def changes_before(frame: pl.DataFrame, moment: datetime, limit: int = MAX_EVIDENCE) -> list[dict]:
    """What changed in the hour before a moment: installs, updates, config and password changes,
    service restarts."""
    near = frame.filter(pl.col("timestamp").is_between(moment - CONTEXT_BEFORE, moment, closed="left")
                        & pl.col("action").is_in(CHANGE_ACTIONS + RESTART_ACTIONS))
    # the latest changes are the nearest to the onset
    return evidence_rows(near.sort("timestamp").tail(limit))
