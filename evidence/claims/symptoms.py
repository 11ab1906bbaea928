"""A language's symptom and negation words -> the symptom spans of one sentence (evidence.claims)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from evidence.claims.clauses import overlaps
from evidence.claims.lexicon import Lexicon, alternation, load_lexicon
from evidence.claims.model import Kind
from evidence.claims.timephrases import TimeRef


@dataclass(frozen=True)
class Patterns:
    symptoms: dict[Kind, re.Pattern[str]]
    denials: re.Pattern[str]
    inability: re.Pattern[str]
    continuing: re.Pattern[str]
    non_denials: re.Pattern[str]
    unplanned: re.Pattern[str]
    onset: re.Pattern[str]
    access: re.Pattern[str]
    remote: re.Pattern[str]
    breaks: re.Pattern[str]


@cache
def patterns(code: str) -> Patterns:
    lex: Lexicon = load_lexicon(code)
    words = lex.text
    # Clause breaks are matched before folding: Italian "e" (and) is not "è" (is).
    breaks = "|".join(
        r"(?<!\w)" + re.escape(w.lower()).replace(r"\ ", r"\s+") + r"(?!\w)"
        for w in sorted(words.get("clause_breaks", []), key=len, reverse=True)
    )
    return Patterns(
        symptoms={kind: re.compile(lex.symptom_regex(kind)) for kind in lex.symptoms},
        denials=re.compile(alternation(words.get("denials", []))),
        inability=re.compile(alternation(words.get("inability", []))),
        continuing=re.compile(alternation(words.get("continuing", []))),
        non_denials=re.compile(alternation(words.get("non_denials", []))),
        unplanned=re.compile(alternation(words.get("unplanned_restart", []))),
        onset=re.compile(alternation(words.get("onset_verbs", []))),
        access=re.compile(alternation(words.get("login_access", [])) or r"(?!x)x"),
        remote=re.compile(alternation(words.get("login_remote", []))),
        breaks=re.compile(breaks or r"(?!x)x"),
    )


def symptom_spans(folded: str, pats: Patterns, refs: list[TimeRef]) -> list[tuple[int, int, Kind]]:
    """Symptom words, longest first, never inside a time phrase."""
    # Time words are blanked, not just avoided: a symptom said around one still reads whole
    # ("die Seite lädt seit gestern nicht": the verb and its "nicht" enclose the time).
    chars = list(folded)
    for s, e in (span for r in refs for span in r.pieces):
        chars[s:e] = " " * (e - s)
    blanked = "".join(chars)
    found = []
    for kind, regex in pats.symptoms.items():
        for m in regex.finditer(blanked):
            found.append((m.start(), m.end(), kind))
    taken: list[tuple[int, int]] = []
    chosen = []
    for s, e, kind in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
        if not overlaps((s, e), taken):
            taken.append((s, e))
            chosen.append((s, e, kind))
    return sorted(chosen)
