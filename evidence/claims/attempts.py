"""Counts of tries in a statement ("I only typed my password once") -> numbers for login claims (evidence.claims)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from evidence.claims.lexicon import alternation, fold, load_lexicon, lookup


@dataclass(frozen=True)
class Count:
    start: int
    end: int
    value: int
    # Said with a restrictive "que" ("je ne l'ai tapé qu'une fois"): the negation is no denial.
    only: bool = False


@dataclass(frozen=True)
class _Rules:
    counts: re.Pattern[str] | None
    table: dict
    numbers: dict
    open: re.Pattern[str]
    joins: re.Pattern[str]
    only: re.Pattern[str]


def _tail(phrases) -> re.Pattern[str]:
    """Matches when the text before a count ends with one of the phrases."""
    return re.compile("(?:" + alternation(phrases) + r")\s*$")


def _head(phrases) -> re.Pattern[str]:
    """Matches when the text after a count begins with one of the phrases."""
    return re.compile(r"\s*(?:" + alternation(phrases) + ")")


@cache
def _rules(code: str) -> _Rules:
    lex = load_lexicon(code)
    table = lex.data.get("attempts", {})
    counts = dict(table.get("counts", {}))
    numbers = {k: v for k, v in lex.time.get("numbers", {}).items() if isinstance(v, int)}
    times = table.get("times", [])
    pieces = []
    if counts:
        pieces.append(alternation(counts))
    if times:
        # "two times", "3 volte", and German glued "zweimal", "3-mal"
        number = "|".join(re.escape(fold(n)).replace(r"\ ", r"\s+") for n in sorted(numbers, key=len, reverse=True))
        pieces.append(rf"(?<!\w)(?P<n>\d+|{number})\s*-?(?:{alternation(times)})")
    regex = re.compile("|".join(f"(?:{p})" for p in pieces)) if pieces else None
    return _Rules(regex, counts, numbers, _tail(table.get("open", [])), _head(table.get("joins", [])),
                  _tail(table.get("only", [])))


def find_counts(folded: str, code: str) -> list[Count]:
    """Counts of tries in a folded sentence. A count that sets no limit is left out: after "more
    than" or "at least", before "a day" or "again" (each language's [attempts] words)."""
    rules = _rules(code)
    if rules.counts is None:
        return []
    found = []
    for m in rules.counts.finditer(folded):
        before, after = folded[:m.start()], folded[m.end():]
        if rules.open.search(before) or rules.joins.match(after):
            continue
        number = m.groupdict().get("n")
        if number:
            value = int(number) if number.isdigit() else lookup(rules.numbers, number)
        else:
            value = lookup(rules.table, m.group(0))
        if isinstance(value, int) and value > 0:
            found.append(Count(m.start(), m.end(), value, bool(rules.only.search(before))))
    return found
