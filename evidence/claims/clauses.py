"""A statement's text -> its sentences and clauses, the spans claims are read from (evidence.claims)."""

from __future__ import annotations

import re

# A full stop ends a sentence unless it closes a number ("20. November") or an abbreviation.
_SENTENCE_END = re.compile(r"[!?;\n]+|(?<=[^\d\s.]{2})\.+(?=\s|$)")
_CLAUSE_PUNCT = re.compile(r",|:|\s[-\u2013\u2014]\s|\(|\)")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank sentence."""
    spans, last = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((last, m.start()))
        last = m.end()
    spans.append((last, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def clause_cuts(raw: str, breaks: re.Pattern[str], protected: list[tuple[int, int]]) -> list[int]:
    """Where clauses begin: punctuation and joining words, never inside a protected span (a time
    phrase or a symptom). Joining words are matched before folding: Italian "e" (and) is not "è"."""
    lowered = raw.lower()
    cuts = [m.start() for m in _CLAUSE_PUNCT.finditer(raw)]
    cuts += [m.start() for m in breaks.finditer(lowered) if not overlaps(m.span(), protected)]
    return sorted(c for c in set(cuts) if not any(s <= c < e for s, e in protected))


def clause_bounds(raw: str, cuts: list[int]) -> list[int]:
    """Start of every clause and the end of the last one: clause i is bounds[i]:bounds[i + 1]."""
    return [0, *cuts, len(raw)]


def tidy(clause: str, breaks: re.Pattern[str]) -> str:
    """The clause as the customer wrote it, without the joining word or punctuation."""
    text = clause.strip(" \t,;:.!?-\u2013\u2014()")
    m = breaks.match(text.lower())
    if m:
        text = text[m.end():].strip(" \t,;:")
    return text


def marked(folded: str, spans: list[tuple[int, int]], mark: str) -> str:
    """The folded sentence with the given spans overwritten by a mark, same length."""
    chars = list(folded)
    for s, e in spans:
        chars[s:e] = mark * (e - s)
    return "".join(chars)


def overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)
