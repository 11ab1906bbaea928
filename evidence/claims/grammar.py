"""Language data -> a scanner that finds the pieces of time phrases (evidence.claims)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from evidence.claims.clockgrammar import ClockGrammar, bare, squash
from evidence.claims.lexicon import Lexicon, alternation, fold, load_lexicon, lookup


@dataclass(frozen=True)
class Quantity:
    low: float
    high: float
    unit: str
    # A range said with a quantifier ("a few days"), not a count.
    vague: bool = False


@dataclass(frozen=True)
class Piece:
    """One recognised piece of a time phrase, with its place in the folded text."""

    kind: str
    start: int
    end: int
    value: object = None


def _words(table: dict) -> list[str]:
    return list(table)


class Grammar:
    """The regexes for one language; `scan` returns non-overlapping pieces, longest first."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        t = lex.time
        self.numbers = dict(t.get("numbers", {}))
        self.vague = dict(t.get("vague_amounts", {}))
        self.fixed = dict(t.get("fixed_amounts", {}))
        self.unit_of = {fold(w): unit for unit, forms in t["units"].items() for w in forms}
        self.part_of = {fold(w): part for part, forms in t["parts"].items() for w in forms}
        self.weekday_of = {fold(w): i for i, forms in enumerate(t["weekdays"]) for w in forms}
        self.month_of = {fold(w): i + 1 for i, forms in enumerate(t["months"]) for w in forms}
        self.markers: dict[str, set[str]] = {}
        for role in ("since", "duration", "ago_before"):
            for phrase in t.get(role, []):
                self.markers.setdefault(phrase, set()).add(role)
        self.approx_words = {fold(p) for p in t.get("approx", [])}
        self.since_reach = int(t.get("since_reach", 0))
        # "since then": from the time said before it in the sentence
        since_then = t.get("since_then", [])
        self.since_then = re.compile(alternation(since_then)) if since_then else None
        # the since-markers that may reach over words to their date (all, unless listed)
        self.reach_markers = {fold(m).strip() for m in t.get("since_reach_markers", t.get("since", []))}
        self.holidays = dict(t.get("holidays", {}))
        self.whiles = dict(t.get("whiles", {}))
        self.clocks = ClockGrammar(lex, self.numbers, self.month_of, list(self.unit_of))

        amount = alternation(_words(self.numbers) + _words(self.vague))
        units = alternation(self.unit_of)
        self.patterns: list[tuple[str, re.Pattern[str]]] = [
            ("fixed", re.compile(alternation(self.fixed))),
            ("qty", re.compile(rf"(?P<amt>(?<![\w.,])\d+(?:[.,]5)?|{amount})\s*(?P<unit>{units})")),
            ("compound", re.compile(alternation(t.get("compounds", {})))),
            ("relday", re.compile(alternation(t.get("relative_days", {})))),
            ("weekday_part", re.compile(
                rf"(?<!\w)(?P<wd>{bare(self.weekday_of)})(?P<part>{bare(self.part_of)})(?!\w)")),
            ("weekend", re.compile(alternation(t.get("weekend", [])) or r"(?!x)x")),
            ("weekday", re.compile(alternation(self.weekday_of))),
            ("part", re.compile(alternation(self.part_of))),
            ("last", re.compile(alternation(t.get("last", [])))),
            ("this", re.compile(alternation(t.get("this", [])))),
            ("period", re.compile(alternation(
                [w for w, u in self.unit_of.items() if u in ("week", "month", "year")]))),
            ("mark", re.compile(alternation(self.markers))),
            ("ago_after", re.compile(alternation(t.get("ago_after", [])))),
            ("dur_after_ago", re.compile(alternation(t.get("duration_after_ago", [])))),
            ("clock", self.clocks.clock_regex()),
            ("clock_range", self.clocks.clock_range_regex()),
            *(("date", rx) for rx in self.clocks.date_regexes()),
            ("holiday", re.compile(alternation(self.holidays))),
            ("dom", self._dom_regex()),
            ("recurring", self._recurring_regex()),
            ("while", re.compile(alternation(self.whiles))),
        ]
        # Approximations join too: "for about 4 days", "vor etwa drei Tagen".
        joining = alternation(t.get("fillers", []) + t.get("approx", []))
        self.filler = re.compile(r"\s*(?:" + joining + r"\s*)*")
        ranges = t.get("ranges", {})
        to = alternation(ranges.get("to", []))
        self.range_to = re.compile(rf"\s*(?:{to}|[-\u2013])\s*(?:{joining}\s*)*")
        self.range_and = re.compile(rf"\s*{alternation(ranges.get('and', []))}\s*(?:{joining}\s*)*")
        self.range_open = re.compile(rf"{alternation(ranges.get('open', []))}\s*(?:{joining}\s*)*$")
        # "am Montag", "von Montag bis", "on Christmas": the words that lead into a time phrase
        leads = alternation(t.get("fillers", []) + ranges.get("open", []) + ranges.get("clock_open", []) + ranges.get("to", [])
                            + t.get("at", []))
        self.lead = re.compile(rf"(?:{leads}\s*)+$")

    def _dom_regex(self) -> re.Pattern[str]:
        """"on the 18th", "il 18", "am 18.": a day of the month after its article; the piece is
        the number alone, so the article may also join a range ("dal 18 al 20")."""
        t = self.lex.time
        ords = alternation(t.get("ordinals", []), glued=True)
        counted = alternation(list(self.unit_of) + self.lex.data.get("attempts", {}).get("times", [])
                              + t.get("dom_not_before", []))
        return re.compile(rf"{alternation(t.get('dom_before', []))}\s*"
                          rf"(?P<core>(?<![\w.:,/])(?P<d>\d{{1,2}})(?P<ord>{ords})?)"
                          rf"(?![\w%:/]|[.,]\d)(?!\s*{counted})")

    def _recurring_regex(self) -> re.Pattern[str]:
        """"every morning", "tous les matins", "jeden Montag", "täglich"."""
        t = self.lex.time
        days = [w for w, u in self.unit_of.items() if u == "day"]
        what = "|".join(bare(table) for table in (self.part_of, self.weekday_of, days))
        return re.compile(rf"{alternation(t.get('every', []))}\s+(?P<what>{what})(?!\w)"
                          rf"|{alternation(t.get('recurring', {}))}")

    # -- decoding matches into values ------------------------------------------------------

    def _decode(self, kind: str, m: re.Match[str]):
        text = m.group(0)
        if kind == "fixed":
            return "qty", Quantity(lookup(self.fixed, text), lookup(self.fixed, text), "minute")
        if kind == "qty":
            unit = self.unit_of.get(squash(m.group("unit")))
            amt = m.group("amt")
            if amt[0].isdigit():
                n = float(amt.replace(",", "."))
                return "qty", Quantity(n, n, unit)
            if (value := lookup(self.numbers, amt)) is not None:
                return "qty", Quantity(value, value, unit)
            low, high = lookup(self.vague, amt)
            return "qty", Quantity(low, high, unit, vague=True)
        if kind == "compound":
            offset, part = str(lookup(self.lex.time["compounds"], text)).split()
            return "compound", (int(offset), part)
        if kind == "relday":
            return "relday", int(lookup(self.lex.time["relative_days"], text))
        if kind == "weekday_part":
            return "weekday_part", (self.weekday_of[m.group("wd")], self.part_of[m.group("part")])
        if kind == "weekday":
            return "weekday", self.weekday_of[squash(text)]
        if kind == "weekend":
            return "weekend", None
        if kind == "part":
            return "part", self.part_of[squash(text)]
        if kind == "period":
            return "period", self.unit_of[squash(text)]
        if kind == "mark":
            return "mark", frozenset(lookup(self.markers, text) or ())
        if kind in ("clock", "clock_range", "date"):
            decode = {"clock": self.clocks.decode_clock, "clock_range": self.clocks.decode_clock_range,
                      "date": self.clocks.decode_date}[kind]
            value = decode(m)
            return None if value is None else (kind, value)
        if kind == "holiday":
            month, day = (int(n) for n in str(lookup(self.holidays, text)).split("-"))
            return "date", (None, month, day, None)
        if kind == "dom":
            day = int(m.group("d"))
            if not 1 <= day <= 31 or (self.lex.time.get("dom_ordinal_required") and not m.group("ord")):
                return None
            return "dom", day
        if kind == "recurring":
            what = squash(m.group("what")) if m.group("what") else None
            if what is None:
                return "recurring", lookup(self.lex.time["recurring"], text)
            if what in self.weekday_of:
                return "recurring", self.weekday_of[what]
            return "recurring", self.part_of.get(what, "day")
        if kind == "while":
            low, high, *unit = lookup(self.whiles, text)
            return "while", (low, high, unit[0] if unit else "day")
        return kind, None

    # -- scanning ----------------------------------------------------------------------------

    def scan(self, folded: str) -> list[Piece]:
        found: list[tuple[int, int, Piece]] = []
        pre_spans: list[tuple[int, int, int]] = []
        for order, (kind, regex) in enumerate(self.patterns):
            for m in regex.finditer(folded):
                if m.end() == m.start():
                    continue
                decoded = self._decode(kind, m)
                if decoded is None:
                    continue
                name, value = decoded
                start, end = m.span("core") if "core" in regex.groupindex else m.span()
                found.append((end - start, -order, Piece(name, start, end, value)))
                if kind == "clock" and m.group("pre"):
                    pre_spans.append((m.start(), m.end("pre"), len(found) - 1))
        marks = [(p.start, p.end) for _, _, p in found if p.kind == "mark"]
        quantities = [(p.start, p.end) for _, _, p in found if p.kind == "qty"]
        # "for about 4 days": a bare number before a unit counts, it is not a clock time.
        counted = {i for i, (_, _, p) in enumerate(found) if p.kind == "clock"
                and p.value.meridiem is None and not p.value.suffixed
                and any(qs < p.end and p.start < qe for qs, qe in quantities)}
        # "il y a une heure": the "a" ends an ago marker, so it does not start a clock time.
        dropped = {i for s, e, i in pre_spans if any(ms < e and s < me and me <= e for ms, me in marks
                                                      if (ms, me) != (s, e))}
        found = [f for i, f in enumerate(found) if i not in dropped | counted]
        chosen: list[Piece] = []
        taken = [False] * (len(folded) + 1)
        for _, _, piece in sorted(found, key=lambda f: (-f[0], -f[1], f[2].start)):
            if any(taken[piece.start:piece.end]):
                continue
            for i in range(piece.start, piece.end):
                taken[i] = True
            chosen.append(piece)
        return sorted(chosen, key=lambda p: p.start)

    def joins(self, gap: str) -> bool:
        """Whether two pieces separated by `gap` belong to one phrase (only fillers between)."""
        return self.filler.fullmatch(gap) is not None

    def links_range(self, gap: str, before: str) -> bool:
        """Whether `gap` joins two day phrases into one range ("Monday to Wednesday", "du lundi
        au mercredi"); an "and" does only after an opening word ("between Monday and Wednesday")."""
        if self.range_to.fullmatch(gap):
            return True
        return self.range_and.fullmatch(gap) is not None and self.range_open.search(before) is not None


@cache
def grammar_for(code: str) -> Grammar:
    return Grammar(load_lexicon(code))
