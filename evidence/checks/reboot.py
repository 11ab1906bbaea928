"""Reboot claims ("it keeps restarting") x timeline -> finding: unplanned restarts; planned boots are context."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from evidence.checks.citing import evidence_rows
from evidence.checks.coverage import sources_with
from evidence.checks.model import CheckInput, Finding, Verdict
from evidence.checks.presence import presence

RESTARTS = ("boot", "shutdown_unexpected", "kernel_panic", "watchdog")
# Restarts nobody asked for; a boot is one unless a clean shutdown came before it.
UNPLANNED = ("shutdown_unexpected", "kernel_panic", "watchdog")
# One boot leaves several markers (6005, 4608, the kernel's banner, sar's LINUX RESTART) within
# this long of each other; the state before the first one decides whether the boot was planned.
BOOT_SEQUENCE = timedelta(minutes=10)
MAX_CONTEXT = 10
# The command that asked for a planned restart comes this long before the clean shutdown at most
# ("shutdown -r 23:55" typed at 23:41).
ORDER_BEFORE = timedelta(hours=2)
RESTART_COMMAND = r"(?i)\b(shutdown|reboot|restart-computer|systemctl\s+(reboot|poweroff|kexec))\b|shutdown(\.exe)?\s+/r"


def symptom() -> pl.Expr:
    """Any restart, planned or not: what a denial ("it never restarted") is about."""
    return pl.col("action").is_in(RESTARTS) | _bugcheck()


def _bugcheck() -> pl.Expr:
    return (pl.col("action") == "crash") & (pl.col("category") == "system")


def _machine() -> pl.Expr:
    """The machine's own boot and shutdown records; Diagnostics-Performance 100/200 measure the
    same boots and shutdowns (category performance) and are not counted twice."""
    return (pl.col("category") == "system") & pl.col("action").is_in(("boot", "shutdown", "shutdown_unexpected"))


def _host_key() -> pl.Expr:
    """PORTABLE-CLAIRE and PORTABLE-CLAIRE.corp.example.org are one machine; addresses stay whole."""
    host = pl.col("host").fill_null("").str.to_lowercase()
    return pl.when(host.str.contains(r"^[\d.]+$|:")).then(host).otherwise(host.str.replace(r"\..*$", ""))


def classify_boots(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame's system boot events with `planned`: true after a clean shutdown of the same
    host, false after anything else (another boot, an unexpected shutdown, the machine simply
    running on), null when the logs begin with this boot and nothing before it can tell."""
    first_seen = frame.group_by(_host_key().alias("_host")).agg(pl.col("timestamp").min().alias("_since"))
    state = (frame.filter(_machine()).with_columns(_host_key().alias("_host"))
             .sort(["_host", "timestamp", "source_file", "event_id"]))
    state = state.with_columns(
        pl.col("action").shift(1).over("_host").alias("_prev_action"),
        pl.col("outcome").shift(1).over("_host").alias("_prev_outcome"),
        pl.col("timestamp").shift(1).over("_host").alias("_prev_time"))
    boot = pl.col("action") == "boot"
    # a boot's other markers belong to the boot they follow closely
    continues = boot & (pl.col("_prev_action") == "boot") & (
        pl.col("timestamp") - pl.col("_prev_time") <= BOOT_SEQUENCE)
    clean_before = (pl.col("_prev_action") == "shutdown") & (pl.col("_prev_outcome") == "success")
    state = state.join(first_seen, on="_host", how="left").with_columns(
        pl.when(continues).then(None)
        .when(clean_before).then(True)
        .when(pl.col("_prev_action").is_null() & (pl.col("timestamp") - pl.col("_since") <= BOOT_SEQUENCE))
        .then(None)
        .otherwise(False).alias("planned"),
        continues.alias("_continues"))
    # the sequence's later markers take the verdict of its first one
    state = state.with_columns(
        pl.when(boot & ~pl.col("_continues")).then(pl.lit(1)).otherwise(pl.lit(0)).cum_sum().over("_host")
        .alias("_sequence"))
    state = state.with_columns(
        pl.col("planned").filter(~pl.col("_continues")).first().over(["_host", "_sequence"]).alias("_head"))
    state = state.with_columns(pl.when(pl.col("_continues")).then(pl.col("_head")).otherwise(pl.col("planned"))
                               .alias("planned"))
    return state.filter(boot).select([*frame.columns, "planned"])


def unplanned(frame: pl.DataFrame) -> pl.DataFrame:
    """What "it keeps restarting" is about: unexpected shutdowns, panics, watchdog resets, system
    bugchecks, and boots not preceded by a clean shutdown (shutdown, 6006, 1074) of the host."""
    boots = classify_boots(frame)
    unplanned_boots = boots.filter(pl.col("planned").not_().fill_null(False))["event_id"]
    return frame.filter(pl.col("action").is_in(UNPLANNED) | _bugcheck()
                        | ((pl.col("action") == "boot") & pl.col("event_id").is_in(unplanned_boots.implode())))


def planned(frame: pl.DataFrame) -> pl.DataFrame:
    boots = classify_boots(frame)
    return frame.filter(pl.col("event_id").is_in(boots.filter(pl.col("planned").fill_null(True))["event_id"].implode()))


def check(ci: CheckInput) -> Finding:
    start, end, _ = ci.window()
    # a system log that runs through the window would have recorded the boot
    able = sources_with(ci.frame, (pl.col("category") == "system") | symptom())
    missing = ("No system log in the case: the Windows System log (events 6005, 6008, 41, 1001) or the "
               "system journal / syslog would show every boot.")
    if ci.denied:
        hits = ci.frame.filter(symptom())
        return presence(ci, hits, able, start, end, "boots, unexpected shutdowns, panics or watchdog resets",
                        missing=missing)
    if ci.claim.get("restart") != "unplanned":
        return _any_restart(ci, start, end, able, missing)
    hits = unplanned(ci.frame)
    finding = presence(ci, hits, able, start, end, "unplanned restarts (unexpected shutdowns, bugchecks, "
                       "panics, watchdog resets, boots without a clean shutdown before them)", missing=missing)
    calm = planned(ci.frame).filter(pl.col("timestamp").is_between(start, end))
    if calm.height:
        finding.explanation += (f" {calm.height} boot(s) after a clean shutdown in the window are planned "
                                "starts, not counted.")
        finding.context = evidence_rows(calm.sort("timestamp").head(MAX_CONTEXT))
    return finding


def _any_restart(ci: CheckInput, start, end, able: list[str], missing: str) -> Finding:
    """"The server was restarted last night": any restart supports, planned or not; the
    explanation says which, with the clean shutdown before a planned boot and who ordered it."""
    boots = classify_boots(ci.frame).filter(pl.col("timestamp").is_between(start, end))
    heads = boots.filter(pl.col("planned").is_not_null())
    shutdowns = ci.frame.filter(_machine() & (pl.col("action") == "shutdown")
                                & pl.col("timestamp").is_between(start - BOOT_SEQUENCE, end))
    orders = ci.frame.filter((pl.col("action") == "privilege_use")
                             & pl.col("message").fill_null("").str.contains(RESTART_COMMAND)
                             & pl.col("timestamp").is_between(start - ORDER_BEFORE, end))
    hits = pl.concat([ci.frame.filter(symptom()), shutdowns, orders]).unique("event_id", maintain_order=True)
    finding = presence(ci, hits, able, start, end, "restarts (boots, shutdowns, panics, watchdog resets)",
                       missing=missing)
    if finding.verdict is not Verdict.SUPPORTED:
        return finding
    planned_n = heads.filter(pl.col("planned")).height
    crashes = unplanned(ci.frame).filter(pl.col("timestamp").is_between(start, end)).height
    if planned_n:
        who = orders["user"].drop_nulls().unique(maintain_order=True).to_list()
        by = f", ordered by {', '.join(who)} with a shutdown/reboot command" if who else ""
        finding.explanation += f" {planned_n} restart(s) were planned: a clean shutdown came first{by}."
    if crashes:
        finding.explanation += (f" {crashes} event(s) show unplanned restarts (unexpected shutdowns, panics, "
                                "watchdog resets or boots without a clean shutdown before them).")
    elif not planned_n:
        finding.explanation += " Whether they were planned cannot be told: the logs begin with the boot."
    return finding
