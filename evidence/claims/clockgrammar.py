"""Language data -> regexes and values for clock times, clock ranges and dates (evidence.claims).

Clock times need a marker to be told from other numbers: a preposition ("at 9", "alle 9"),
minutes ("9:15"), a suffix ("9h", "9 Uhr") or am/pm. A clock range ("between 9 and 11", "dalle 9
alle 11", "von 9 bis 11 Uhr") needs an opening word or such a marker on one of its ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from evidence.claims.lexicon import Lexicon, alternation, fold, lookup


@dataclass(frozen=True)
class Clock:
    hour: int
    minute: int | None
    meridiem: str | None
    approx: bool
    # Said with minutes or a clock word ("9:15", "23 Uhr", "9h"), so surely a time of day.
    suffixed: bool = False


def squash(text: str) -> str:
    return " ".join(fold(text).split())


def bare(table) -> str:
    """Alternation without word boundaries, for words glued together (Montagmorgen)."""
    return "(?:" + "|".join(re.escape(w) for w in sorted(table, key=len, reverse=True)) + ")"


class ClockGrammar:
    """Clock, clock-range and date regexes of one language, and their decoders."""

    def __init__(self, lex: Lexicon, numbers: dict, month_of: dict[str, int], units: list[str]) -> None:
        self.t = t = lex.time
        self.numbers = numbers
        self.month_of = month_of
        self.approx_words = {fold(p) for p in t.get("approx", [])}
        ranges = t.get("ranges", {})
        # apart from the day ranges' words: "dal 18 al 20" are days, "dalle 18 alle 20" hours
        self.range_open = alternation(ranges.get("clock_open", []))
        self.range_to = alternation(ranges.get("clock_to", []))
        self.range_and = alternation(ranges.get("and", []))
        self.and_words = {squash(w) for w in ranges.get("and", [])}
        # "de 2 a 3 días", "between 2 and 3 times": counts, not clock times
        self.counted = alternation(units + lex.data.get("attempts", {}).get("times", []))
        # since-words that only ever precede an hour ("dalle 10", "desde las 10"): a bare
        # number after them is a clock time, as after "alle" / "a las"
        since_hour = t.get("clock_since", [])
        self.since_hour = re.compile(alternation(since_hour) + r"\s*$") if since_hour else None

    def _meridiem(self, i: str = "") -> str:
        am = alternation(self.t.get("clock_am", []), glued=True)
        pm = alternation(self.t.get("clock_pm", []), glued=True)
        suffix = alternation(self.t.get("clock_suffix", []), glued=True)
        return rf"(?:\s*(?:(?P<am{i}>{am})|(?P<pm{i}>{pm})|(?P<sfx{i}>{suffix})))?"

    def clock_regex(self) -> re.Pattern[str]:
        pre = alternation(self.t.get("at", []) + self.t.get("approx", []))
        hour_words = [w for w, v in self.numbers.items() if isinstance(v, int) and v <= 24]
        words = alternation(self.t.get("clock_words", {}))
        return re.compile(
            rf"(?:(?P<pre>{pre})\s*)?"
            rf"(?:(?P<cw>{words})"
            rf"|(?P<h>(?<![\w:.,/])\d{{1,2}}|{alternation(hour_words)})"
            rf"(?:\s*(?P<sep>[:.h])\s*(?P<m>\d{{2}}))?"
            rf"{self._meridiem()})"
            rf"(?![\w%:/])(?!\s*{self.counted})"
        )

    def clock_range_regex(self) -> re.Pattern[str]:
        def end(i: str) -> str:
            return rf"(?P<h{i}>(?<![\w:.,/])\d{{1,2}})(?:\s*[:.h]\s*(?P<m{i}>\d{{2}}))?{self._meridiem(i)}"

        return re.compile(
            rf"(?:(?P<open>{self.range_open})\s*)?{end('1')}"
            rf"\s*(?P<conn>{self.range_to}|{self.range_and}|[-\u2013])\s*{end('2')}"
            rf"(?![\w%:/])(?!\s*{self.counted})"
        )

    def date_regexes(self) -> list[re.Pattern[str]]:
        t = self.t
        months = bare(self.month_of)
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

    def decode_clock(self, m: re.Match[str]) -> Clock | None:
        pre = squash(m.group("pre") or "")
        approx = pre in self.approx_words
        if m.group("cw"):
            hh, mm = str(lookup(self.t["clock_words"], m.group("cw"))).split(":")
            return Clock(int(hh), int(mm), None, approx, True)
        h_text, minute = m.group("h"), m.group("m")
        if m.group("sep") == "h" and minute is None:
            return None
        has_marker = bool(pre or m.group("am") or m.group("pm") or m.group("sfx")
                          or (self.since_hour is not None and self.since_hour.search(m.string, 0, m.start())))
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
        return Clock(hour % 24, int(minute) if minute else None, meridiem, approx, suffixed)

    def decode_clock_range(self, m: re.Match[str]) -> tuple[Clock, Clock] | None:
        ends = []
        for i in "12":
            hour, minute = int(m.group(f"h{i}")), m.group(f"m{i}")
            if hour > 24 or (minute is not None and int(minute) > 59):
                return None
            meridiem = "am" if m.group(f"am{i}") else "pm" if m.group(f"pm{i}") else None
            marked = bool(minute is not None or meridiem or m.group(f"sfx{i}"))
            ends.append((Clock(hour % 24, int(minute) if minute else None, meridiem, False, marked)))
        opened = m.group("open") is not None
        # "and" joins two clock times only after "between"; an unopened range needs a clock marker
        if squash(m.group("conn")) in self.and_words and not opened:
            return None
        if not opened and not any(c.suffixed or c.meridiem for c in ends):
            return None
        return ends[0], ends[1]

    def decode_date(self, m: re.Match[str]):
        groups = m.groupdict()
        day = int(groups["d"])
        month = self.month_of.get(squash(groups["mon"])) if groups.get("mon") else int(groups["mo"])
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
        return year, month, day, clock
