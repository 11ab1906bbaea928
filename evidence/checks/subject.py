"""A claim's subject ("outlook", "mail server") -> which events are about that program (evidence.checks)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from evidence.claims.apps import app_named, image_key, platform_formats

# Keys of `extra` where parsers name the program an event is about when `process` holds the
# reporter: Windows Error Reporting 1001 (app: the P1 field), kernel segfault and trap lines
# (crashed_process), OOM kills (victim), systemd unit lines (unit).
PROGRAM_KEYS = ("app", "crashed_process", "victim", "unit")
SHOWN_PROGRAMS = 3


def _key(expr: pl.Expr) -> pl.Expr:
    """A program name as apps.image_key compares it, in polars."""
    return (expr.str.to_lowercase().str.replace(r"^.*[\\/]", "").str.strip_chars()
            .str.strip_suffix(".exe").str.strip_suffix(".service"))


def program() -> pl.Expr:
    """The program an event is about, as compared (null when the event names none). A Windows
    event whose table names no program carries its provider in `process` ("Application Hang"
    when a CSV export lost the event data): that is the reporter, not the program."""
    extra = pl.col("extra")
    named = [extra.str.json_path_match(f"$.{key}") for key in PROGRAM_KEYS]
    provider = extra.str.json_path_match("$.provider")
    own = pl.when(provider.is_null() | (pl.col("process") != provider)).then(pl.col("process"))
    return _key(pl.coalesce(*named, own))


def _process_head() -> pl.Expr:
    """"postfix/smtpd" -> "postfix": the program part of a syslog tag."""
    return pl.col("process").str.to_lowercase().str.extract(r"^([\w.-]+)/", 1)


@dataclass(frozen=True)
class Subject:
    """The program a claim names, as the logs would name it."""

    name: str
    images: tuple[str, ...]
    formats: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()

    def matches(self) -> pl.Expr:
        exact = [i for i in self.images if "*" not in i]
        hit = (program().is_in(exact) | _process_head().is_in(exact)
               | pl.col("source_format").is_in(list(self.formats)))
        patterns = [i for i in self.images if "*" in i]
        if patterns:
            # "postgresql@*": instance units (postgresql@16-main.service) named by a pattern
            pattern = "^(?:" + "|".join(re.escape(p).replace(r"\*", ".*") for p in patterns) + ")$"
            hit = hit | program().str.contains(pattern) | _process_head().str.contains(pattern)
        return hit.fill_null(False)

    def recorder_formats(self) -> list[str] | None:
        """Formats whose logs would record this program's crashes; None when any may."""
        if not self.platforms:
            return None
        table = platform_formats()
        return sorted({f for p in self.platforms for f in table.get(p, ())} | set(self.formats))


def subject_of(claim: dict) -> Subject | None:
    """The subject the checks can find in the logs: a known program, or a one-word name taken as
    the program's own; None when the claim names none or only a thing the logs do not name
    ("the booking site")."""
    name = claim.get("subject")
    if not isinstance(name, str) or not name.strip():
        return None
    app = app_named(name)
    if app is not None:
        images = {image_key(i) for i in app.images} | {image_key(app.key)}
        return Subject(app.key, tuple(sorted(images)), app.formats, app.platforms)
    if len(name.split()) == 1:
        return Subject(name, (image_key(name),))
    return None


def unattributed_words(claim: dict) -> str:
    """What a verdict says when the claim names a thing the logs cannot single out."""
    name = claim.get("subject")
    if not isinstance(name, str) or not name.strip() or subject_of(claim) is not None:
        return ""
    return (f" The statement names {name!r}, which no log field identifies: every event of the kind "
            "is counted, whatever it is about.")


@dataclass(frozen=True)
class Split:
    """A symptom's events: the subject's, other programs', and those that name no program."""

    mine: pl.DataFrame
    others: pl.DataFrame
    unnamed: pl.DataFrame


def split(hits: pl.DataFrame, subject: Subject) -> Split:
    marked = hits.with_columns(subject.matches().alias("_mine"), program().alias("_program"))
    mine = marked.filter(pl.col("_mine"))
    rest = marked.filter(~pl.col("_mine"))
    keep = hits.columns
    return Split(mine.select(keep), rest.filter(pl.col("_program").is_not_null()).select(keep),
                 rest.filter(pl.col("_program").is_null()).select(keep))


def others_words(others: pl.DataFrame, unnamed: pl.DataFrame, label: str, noun: str) -> str:
    """ "12 crash event(s) of other programs in the window (chrome 10, teams 2)." and the unnamed ones."""
    words = ""
    if others.height:
        counts = (others.with_columns(program().alias("_program")).group_by("_program").len()
                  .sort(["len", "_program"], descending=[True, False]))
        shown = [f"{name} {n}" for name, n in counts.head(SHOWN_PROGRAMS).iter_rows()]
        if counts.height > SHOWN_PROGRAMS:
            shown.append(f"{counts.height - SHOWN_PROGRAMS} more")
        words += f" {others.height} {noun} of other programs in the window ({', '.join(shown)})."
    if unnamed.height:
        words += (f" {unnamed.height} {noun} in the window name no program; they may be {label}'s.")
    return words
