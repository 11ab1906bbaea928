"""Crash claims ("Outlook keeps crashing") x timeline -> finding: crash, hang, segfault and core dump events."""

from __future__ import annotations

import polars as pl

from evidence.checks.coverage import sources_with
from evidence.checks.model import CheckInput, Finding, Verdict, between
from evidence.checks.presence import presence
from evidence.checks.subject import Subject, others_words, split, subject_of, unattributed_words
from evidence.claims.apps import platform_formats

CRASHES = ("crash", "hang", "segfault", "crash_report", "oom_kill")
# Sources that record application crashes by design, even when they hold none.
CRASH_RECORDERS = ("journald",)
MISSING = ("No log that records application crashes: the Windows Application log (events 1000, 1001, "
           "1002) or the system journal (segfaults, core dumps).")


def symptom() -> pl.Expr:
    bugcheck = (pl.col("action") == "crash") & (pl.col("category") == "system")
    return pl.col("action").is_in(CRASHES) & ~bugcheck


def system_crash() -> pl.Expr:
    """The whole machine crashing: kernel panics and Windows bugchecks."""
    return (pl.col("action") == "kernel_panic") | ((pl.col("action") == "crash") & (pl.col("category") == "system"))


def application_logs(frame: pl.DataFrame) -> list[str]:
    """Windows Application logs: they record every program's crashes, even when they hold none."""
    windows = frame.filter(pl.col("source_format").is_in(list(platform_formats().get("windows", ()))))
    return sorted(windows.filter(pl.col("extra").str.json_path_match("$.channel") == "Application")
                  ["source_file"].unique().to_list())


def recorders(ci: CheckInput, subject: Subject | None = None) -> list[str]:
    """The sources that would record crashes (of the subject, when given: its platform's logs
    and its own)."""
    able = sorted(set(sources_with(ci.frame, symptom() | pl.col("source_format").is_in(CRASH_RECORDERS))
                      + application_logs(ci.frame)))
    formats = subject.recorder_formats() if subject else None
    if formats is None:
        return able
    own = sources_with(ci.frame, pl.col("source_format").is_in(list(subject.formats)))
    kept = set(sources_with(ci.frame.filter(pl.col("source_file").is_in(able)),
                            pl.col("source_format").is_in(formats)))
    return sorted(kept | set(own))


def check(ci: CheckInput) -> Finding:
    start, end, _ = ci.window()
    hits = ci.frame.filter(symptom())
    subject = subject_of(ci.claim)
    if subject is None:
        # no program named: "the server crashed" is about the machine too
        hits = ci.frame.filter(symptom() | system_crash())
        able = sorted(set(recorders(ci)) | set(sources_with(ci.frame, system_crash())))
        finding = presence(ci, hits, able, start, end,
                           "crashes (programs, kernel panics, bugchecks), hangs or segfaults", missing=MISSING)
        finding.explanation += unattributed_words(ci.claim)
        return finding
    return _about(ci, hits, subject, start, end)


def _about(ci: CheckInput, hits: pl.DataFrame, subject: Subject, start, end) -> Finding:
    """The verdict on the subject's own crashes; other programs' are context, never evidence for
    or against it, and crashes that name no program keep an absence from deciding."""
    parts = split(hits, subject)
    label = subject.name
    in_window = between(start, end)
    others, unnamed = parts.others.filter(in_window), parts.unnamed.filter(in_window)
    able = recorders(ci, subject)
    missing = f"A log that records {label}'s crashes covering the window: {_recorder_words(subject)}."
    finding = presence(ci, parts.mine, able, start, end, f"crashes, hangs or segfaults of {label}",
                       missing=missing)
    decided_by_absence = not parts.mine.filter(in_window).height and finding.verdict != Verdict.INCONCLUSIVE
    if decided_by_absence and unnamed.height:
        finding.verdict = Verdict.INCONCLUSIVE
        finding.missing = ("The program named in the crash events that name none: the Application log "
                           "as EVTX, whose event data names it.")
    finding.explanation += others_words(others, unnamed, label, "crash event(s)")
    return finding


def _recorder_words(subject: Subject) -> str:
    logs = []
    if not subject.platforms or "windows" in subject.platforms:
        logs.append("the Windows Application log (events 1000, 1001, 1002)")
    if not subject.platforms or "linux" in subject.platforms:
        logs.append("the system journal or syslog (segfaults, core dumps)")
    if subject.formats:
        logs.append(f"{subject.name}'s own error log")
    return " or ".join(logs)
