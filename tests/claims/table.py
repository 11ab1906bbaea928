"""The statement table (statements.toml) read into cases the claims tests compare against."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

TABLE = Path(__file__).with_name("statements.toml")


@dataclass(frozen=True)
class Expected:
    kind: str
    polarity: str
    start: str | None = None
    end: str | None = None
    precision: str | None = None


@dataclass(frozen=True)
class Case:
    lang: str
    text: str
    reported_at: datetime
    tz: str
    expected: tuple[Expected, ...]
    # kind -> the subjects its claims name, "-" for a claim that names none; kinds not listed
    # are not checked for a subject.
    subjects: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the counts of tries the claims carry ("only once" = 1), sorted; None: not checked.
    attempts: tuple[int, ...] | None = None
    # the kinds whose claims are said to recur ("every morning"), sorted; always checked, so a
    # row without the key wants no recurring claim.
    recurring: tuple[str, ...] = ()
    # the senses of the login claims ("access": someone got in; "failure": could not), sorted;
    # None: not checked.
    sense: tuple[str, ...] | None = None

    @property
    def windowed(self) -> Expected | None:
        return next((e for e in self.expected if e.start), None)


def parse_expectation(spec: str) -> Expected:
    head, *window = spec.split()
    polarity = "denied" if head.startswith("!") else "asserted"
    kind = head.lstrip("!")
    if window:
        start, end, precision = window
        return Expected(kind, polarity, start, end, precision)
    return Expected(kind, polarity)


def load_cases() -> list[Case]:
    data = tomllib.loads(TABLE.read_text("utf-8"))
    return [
        Case(row["lang"], row["text"], datetime.fromisoformat(row["reported_at"]), row["tz"],
             tuple(parse_expectation(spec) for spec in row["expect"]),
             {kind: tuple([names] if isinstance(names, str) else names)
              for kind, names in row.get("subject", {}).items()},
             tuple(sorted(row["attempts"])) if "attempts" in row else None,
             tuple(sorted(row.get("recurring", []))),
             tuple(sorted(row["sense"])) if "sense" in row else None)
        for row in data["case"]
    ]


def mismatches(case: Case, claims: list[dict]) -> list[str]:
    """What differs between the claims read and the table row; empty when they agree."""
    problems = []
    got = sorted((c["kind"], c["polarity"]) for c in claims)
    want = sorted((e.kind, e.polarity) for e in case.expected)
    if got != want:
        problems.append(f"kinds {got} != {want}")
    for exp in case.expected:
        if not exp.start:
            continue
        same = [c for c in claims if c["kind"] == exp.kind and c["polarity"] == exp.polarity]
        windows = [(c["window"] or {}, c["precision"]) for c in same]
        wanted = ({"start": exp.start, "end": exp.end}, exp.precision)
        if wanted not in windows:
            problems.append(f"{exp.kind}: window {windows} != {wanted}")
    for kind, wanted in case.subjects.items():
        got_subjects = sorted(c.get("subject") or "-" for c in claims if c["kind"] == kind)
        if got_subjects != sorted(wanted):
            problems.append(f"{kind}: subjects {got_subjects} != {sorted(wanted)}")
    if case.attempts is not None:
        got_attempts = tuple(sorted(c["attempts"] for c in claims if c.get("attempts") is not None))
        if got_attempts != case.attempts:
            problems.append(f"attempts {got_attempts} != {case.attempts}")
    if case.sense is not None:
        got_sense = tuple(sorted(c.get("sense") or "-" for c in claims if c["kind"] == "login"))
        if got_sense != case.sense:
            problems.append(f"sense {got_sense} != {case.sense}")
    got_recurring = tuple(sorted(c["kind"] for c in claims if c.get("recurring")))
    if got_recurring != case.recurring:
        problems.append(f"recurring {got_recurring} != {case.recurring}")
    return problems
