"""Language data -> a scanner that finds the pieces of time phrases (evidence.claims)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from evidence.claims.lexicon import Lexicon, alternation, fold, load_lexicon, lookup

UNITS = ("minute", "hour", "day", "week", "month", "year")
PARTS = ("morning", "afternoon", "evening", "night", "lastnight")


@dataclass(frozen=True)
class Quantity:
    low: float
    high: float
    unit: str
    # A range said with a quantifier ("a few days"), not a count.
    vague: bool = False


@dataclass(frozen=True)
class Clock:
    hour: int
    minute: int | None
    meridiem: str | None
    approx: bool
    # Said with minutes or a clock word ("9:15", "23 Uhr", "9h"), so surely a time of day.
    suffixed: bool = False


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

        amount = alternation(_words(self.numbers) + _words(self.vague))
        units = alternation(self.unit_of)
        self.patterns: list[tuple[str, re.Pattern[str]]] = [
            ("fixed", re.compile(alternation(self.fixed))),
            ("qty", re.compile(rf"(?P<amt>(?<![\w.,])\d+(?:[.,]5)?|{amount})\s*(?P<unit>{units})")),
            ("compound", re.compile(alternation(t.get("compounds", {})))),
            ("relday", re.compile(alternation(t.get("relative_days", {})))),
            ("weekday_part", re.compile(
                rf"(?<!\w)(?P<wd>{_bare(self.weekday_of)})(?P<part>{_bare(self.part_of)})(?!\w)")),
            ("weekday", re.compile(alternation(self.weekday_of))),
            ("part", re.compile(alternation(self.part_of))),
            ("last", re.compile(alternation(t.get("last", [])))),
            ("this", re.compile(alternation(t.get("this", [])))),
            ("period", re.compile(alternation(
                [w for w, u in self.unit_of.items() if u in ("week", "month", "year")]))),
            ("mark", re.compile(alternation(self.markers))),
            ("ago_after", re.compile(alternation(t.get("ago_after", [])))),
            ("dur_after_ago", re.compile(alternation(t.get("duration_after_ago", [])))),
            ("clock", self._clock_regex()),
            *(("date", rx) for rx in self._date_regexes()),
        ]
        # Approximations join too: "for about 4 days", "vor etwa drei Tagen".
        joining = t.get("fillers", []) + t.get("approx", [])
        self.filler = re.compile(r"\s*(?:" + alternation(joining) + r"\s*)*")

    def _clock_regex(self) -> re.Pattern[str]:
        t = self.lex.time
        pre = alternation(t.get("at", []) + t.get("approx", []))
        hour_words = [w for w, v in self.numbers.items() if isinstance(v, int) and v <= 24]
        am = alternation(t.get("clock_am", []), glued=True)
        pm = alternation(t.get("clock_pm", []), glued=True)
        suffix = alternation(t.get("clock_suffix", []), glued=True)
        words = alternation(t.get("clock_words", {}))
        return re.compile(
            rf"(?:(?P<pre>{pre})\s*)?"
            rf"(?:(?P<cw>{words})"
            rf"|(?P<h>(?<![\w:.,/])\d{{1,2}}|{alternation(hour_words)})"
            rf"(?:\s*(?P<sep>[:.h])\s*(?P<m>\d{{2}}))?"
            rf"(?:\s*(?:(?P<am>{am})|(?P<pm>{pm})|(?P<sfx>{suffix})))?)"
            r"(?![\w%:/])"
        )

    def _date_regexes(self) -> list[re.Pattern[str]]:
        t = self.lex.time
        months = _bare(self.month_of)
        links = alternation(t.get("date_links", []))
        ords = alternation(t.get("ordinals", []), glued=True)
        day = rf"(?P<d>(?<![\w.:])\d{{1,2}})(?:{ords})?\.?"
        year = r"(?P<y>\d{4})"
        return [
            re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
                       r"(?:[T ](?P<hh>\d{2}):(?P<mm>\d{2}))?(?!\d)"),
            re.compile(rf"{day}\s*(?:{links}\s*)*(?P<mon>{months})\.?(?!\w)"
                       rf"(?:,?\s*(?:{links}\s*)?{year})?(?!\d)"),
            re.compile(rf"(?<!\w)(?P<mon>{months})\.?\s+(?:{links}\s+)?{day}(?!\w)"
                       rf"(?:,?\s*{year})?(?!\d)"),
            re.compile(r"(?<![\w.:/])(?P<d>\d{1,2})[./](?P<mo>\d{1,2})(?:[./](?P<y>\d{4}|\d{2}))?"
                       r"\.?(?![\w:/]|\.\d)"),
        ]

    # -- decoding matches into values ------------------------------------------------------

    def _decode(self, kind: str, m: re.Match[str]):
        text = m.group(0)
        if kind == "fixed":
            return "qty", Quantity(lookup(self.fixed, text), lookup(self.fixed, text), "minute")
        if kind == "qty":
            unit = self.unit_of.get(_squash(m.group("unit")))
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
            return "weekday", self.weekday_of[_squash(text)]
        if kind == "part":
            return "part", self.part_of[_squash(text)]
        if kind == "period":
            return "period", self.unit_of[_squash(text)]
        if kind == "mark":
            return "mark", frozenset(lookup(self.markers, text) or ())
        if kind == "clock":
            return self._decode_clock(m)
        if kind == "date":
            return self._decode_date(m)
        return kind, None

    def _decode_clock(self, m: re.Match[str]):
        pre = _squash(m.group("pre") or "")
        approx = pre in self.approx_words
        if m.group("cw"):
            hh, mm = str(lookup(self.lex.time["clock_words"], m.group("cw"))).split(":")
            return "clock", Clock(int(hh), int(mm), None, approx, True)
        h_text, minute = m.group("h"), m.group("m")
        if m.group("sep") == "h" and minute is None:
            return None
        has_marker = bool(pre or m.group("am") or m.group("pm") or m.group("sfx"))
        if h_text.isdigit():
            hour = int(h_text)
            if not (has_marker or (minute is not None and m.group("sep") == ":")):
                return None
        else:
            hour = lookup(self.numbers, h_text)
            if not pre or hour is None:
                return None
        if hour > 24 or (minute is not None and int(minute) > 59):
            return None
        meridiem = "am" if m.group("am") else "pm" if m.group("pm") else None
        suffixed = bool(minute is not None or m.group("sfx"))
        return "clock", Clock(hour % 24, int(minute) if minute else None, meridiem, approx, suffixed)

    def _decode_date(self, m: re.Match[str]):
        groups = m.groupdict()
        day = int(groups["d"])
        month = self.month_of.get(_squash(groups["mon"])) if groups.get("mon") else int(groups["mo"])
        year = int(groups["y"]) if groups.get("y") else None
        if year is not None and year < 100:
            year += 2000
        if not 1 <= month <= 12 and 1 <= day <= 12:
            day, month = month, day  # month first, as in US dates
        try:
            date(year or 2000, month, day)
        except ValueError:
            return None
        clock = None
        if groups.get("hh"):
            clock = Clock(int(groups["hh"]), int(groups["mm"]), None, False)
        return "date", (year, month, day, clock)

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
                found.append((m.end() - m.start(), -order, Piece(name, m.start(), m.end(), value)))
                if kind == "clock" and m.group("pre"):
                    pre_spans.append((m.start(), m.end("pre"), len(found) - 1))
        marks = [(p.start, p.end) for _, _, p in found if p.kind == "mark"]
        quantities = [(p.start, p.end) for _, _, p in found if p.kind == "qty"]
        # "for about 4 days": a bare number before a unit counts, it is not a clock time.
        bare = {i for i, (_, _, p) in enumerate(found) if p.kind == "clock"
                and p.value.meridiem is None and not p.value.suffixed
                and any(qs < p.end and p.start < qe for qs, qe in quantities)}
        # "il y a une heure": the "a" ends an ago marker, so it does not start a clock time.
        dropped = {i for s, e, i in pre_spans if any(ms < e and s < me and me <= e for ms, me in marks
                                                      if (ms, me) != (s, e))}
        found = [f for i, f in enumerate(found) if i not in dropped | bare]
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


def _squash(text: str) -> str:
    return " ".join(fold(text).split())


def _bare(table: dict) -> str:
    """Alternation without word boundaries, for words glued together (Montagmorgen)."""
    return "(?:" + "|".join(re.escape(w) for w in sorted(table, key=len, reverse=True)) + ")"


@cache
def grammar_for(code: str) -> Grammar:
    return Grammar(load_lexicon(code))
