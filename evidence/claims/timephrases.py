"""Time phrases in a statement -> windows anchored at the report time (evidence.claims).

dateparser does the calendar arithmetic (weekdays, "N days/months ago") from RELATIVE_BASE in
the customer's zone; the pieces dateparser misses in free text (number words, "since X",
parts of the day, durations, weekday names in any language, holidays, days of the month, ranges,
"every morning", "for a while") are found by grammar.py. Day-level windows are daywindows.py's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from evidence.claims.anchor import Anchor
from evidence.claims.daywindows import (WEEKDAY_NAMES, day_of_month, point, recurring, weekday_on_or_before,
                                         within_day)
from evidence.claims.grammar import Piece, Quantity, grammar_for
from evidence.claims.model import Precision, Window

_UNIT_MINUTES = {"minute": 1, "hour": 60}
# Half-width of the window around an instant reached by counting back a quantity.
_SLACK = {
    "minute": (timedelta(minutes=5), Precision.MINUTE),
    "hour": (timedelta(minutes=30), Precision.HOUR),
    "day": (timedelta(days=1), Precision.DAY),
    "week": (timedelta(days=1), Precision.DAY),
    "month": (timedelta(days=7), Precision.VAGUE),
    "year": (timedelta(days=30), Precision.VAGUE),
}
_COARSENESS = (Precision.MINUTE, Precision.HOUR, Precision.DAY, Precision.VAGUE)
# Pieces that can open or close a range of days ("from Monday to Wednesday", "dal 18 al 20").
_DAY_ENDS = ("weekday", "weekday_part", "date", "dom", "relday", "compound")


class Role(StrEnum):
    POINT = "point"  # "two days ago", "yesterday evening": when something happened
    SINCE = "since"  # "since Monday": from a point up to the report
    DURATION = "duration"  # "for a week": started that long before the report


@dataclass(frozen=True)
class TimeRef:
    start: int
    end: int
    role: Role
    window: Window
    precision: Precision
    # Spans of the phrase's own words; words between them (the "update" in "since the
    # update on Monday") still belong to the statement.
    pieces: tuple[tuple[int, int], ...] = ()
    # "every morning": the window holds several occurrences of what is claimed; what recurs:
    # a part of the day ("morning"), "day", or a weekday ("monday"). None: said once.
    recurring: str | None = None


def find_time_refs(folded: str, code: str, anchor: Anchor) -> list[TimeRef]:
    """Every time phrase in a folded text, as a window with its role and precision."""
    grammar = grammar_for(code)
    groups: list[list[Piece]] = []
    # indexes of groups that close a range opened by the group before them
    closing: set[int] = set()
    for piece in grammar.scan(folded):
        if groups:
            last = groups[-1]
            gap = folded[last[-1].end:piece.start]
            opener = next((p for p in last if p.kind != "mark"), last[0])
            if (piece.kind in _DAY_ENDS and any(p.kind in _DAY_ENDS for p in last)
                    and len(groups) - 1 not in closing
                    and grammar.links_range(gap, folded[:opener.start])):
                closing.add(len(groups))
                groups.append([piece])
                continue
        if groups and grammar.joins(folded[groups[-1][-1].end:piece.start]):
            groups[-1].append(piece)
        elif groups and _since_reaches(groups[-1], folded, piece.start, grammar):
            # "since the update on 20 November": the marker still governs the date.
            groups[-1].append(piece)
        else:
            groups.append([piece])
    refs: list[TimeRef | None] = []
    i = 0
    while i < len(groups):
        # a range is read whole; each end is read alone only when the whole cannot be
        whole = _range(groups[i], groups[i + 1], anchor) if i + 1 in closing else None
        refs.append(whole or _interpret(groups[i], anchor))
        i += 2 if whole else 1
    return _since_then([ref for ref in refs if ref is not None], folded, grammar, anchor)


def _since_then(refs: list[TimeRef], folded: str, grammar, anchor: Anchor) -> list[TimeRef]:
    """"I changed my password yesterday and since then I cannot log in": "since then" starts
    where the time said before it in the sentence starts, and runs to the report."""
    if grammar.since_then is None:
        return refs
    found = list(refs)
    for m in grammar.since_then.finditer(folded):
        # a time phrase may have taken the marker word ("ieri e da" before "da allora")
        before = [r for r in refs if r.start < m.start() and r.role is not Role.SINCE]
        if not before or any(m.start() <= r.start < m.end() for r in refs):
            continue
        said = before[-1]
        if said.window.start >= anchor.at:
            continue
        found.append(TimeRef(m.start(), m.end(), Role.SINCE, Window(said.window.start, anchor.shifted(anchor.at)),
                             said.precision, ((m.start(), m.end()),)))
    return sorted(found, key=lambda r: r.start)


def spoken_spans(folded: str, refs: list[TimeRef], code: str) -> list[tuple[int, int]]:
    """Every time phrase's words with the words leading into it ("am Montag", "von Montag bis
    Mittwoch"): none of them names what the statement is about."""
    lead = grammar_for(code).lead
    spans = [span for ref in refs for span in ref.pieces]
    for ref in refs:
        m = lead.search(folded, 0, ref.start)
        if m is not None:
            spans.append(m.span())
    return spans


def _since_reaches(group: list[Piece], folded: str, next_start: int, grammar) -> bool:
    """A lone since-marker binds to a point a few plain words later in the same clause
    (not every marker: Italian "da" is also "by", as in "da solo")."""
    marker = group[0]
    lone = len(group) == 1 and marker.kind == "mark" and "since" in marker.value
    if not lone or folded[marker.start:marker.end].strip() not in grammar.reach_markers:
        return False
    gap = folded[marker.end:next_start]
    return len(gap.split()) <= grammar.since_reach and not re.search(r"[^\w\s'-]", gap)


def _range(first: list[Piece], second: list[Piece], anchor: Anchor) -> TimeRef | None:
    """"from Monday to Wednesday", "von Montag bis Mittwoch", "dal 18 al 20 novembre": from the
    start of the first day to the end of the second (cut at the report), the first read as the
    latest one not after the second. A range says when something happened, never a since."""
    plain = [p for p in first if p.kind != "mark"]
    opening, closing = _interpret(plain, anchor), _interpret(second, anchor)
    if opening is None or closing is None or {opening.role, closing.role} != {Role.POINT}:
        return None
    if second[0].kind == "weekday" and second[0].value == anchor.today.weekday():
        # the closing weekday may be today: "from Monday to Wednesday" said on a Wednesday
        closing = replace(closing, window=Window(anchor.midnight(anchor.today),
                                                 anchor.midnight(anchor.today + timedelta(days=1))))
    start, end = opening.window.start, closing.window.end
    if start >= closing.window.start:
        start = _moved_before(plain, opening.window.start, closing.window.start, anchor)
    if start is None or start >= end:
        return None
    end = min(end, anchor.shifted(anchor.at))
    precision = max(opening.precision, closing.precision, key=_COARSENESS.index)
    pieces = first + second
    return TimeRef(pieces[0].start, second[-1].end, Role.POINT, Window(start, end), precision,
                   (*((p.start, p.end) for p in pieces), (first[-1].end, second[0].start)))


def _moved_before(plain: list[Piece], start: datetime, limit: datetime, anchor: Anchor) -> datetime | None:
    """The opening day of a range moved back to the latest such day before the closing one."""
    kinds = {p.kind: p for p in plain}
    old = start.astimezone(anchor.zone).date()
    bound = limit.astimezone(anchor.zone).date()
    if "weekday" in kinds:
        new = weekday_on_or_before(kinds["weekday"].value, bound)
    elif "dom" in kinds:
        new = day_of_month(kinds["dom"].value, bound)
    else:
        return None
    wall = start.astimezone(anchor.zone).replace(tzinfo=None) + (new - old)
    return anchor.local(wall)


def _interpret(group: list[Piece], anchor: Anchor) -> TimeRef | None:
    if not group:
        return None
    kinds: dict[str, Piece] = {}
    roles: set[str] = set()
    for piece in group:
        kinds.setdefault(piece.kind, piece)
        if piece.kind == "mark":
            roles |= piece.value
    qty = kinds.get("qty")
    result: tuple[Window, Precision] | None
    role = Role.POINT
    ago = "ago_after" in kinds or "ago_before" in roles
    if "recurring" in kinds:
        result = recurring(kinds["recurring"].value, anchor)
    elif "while" in kinds and qty is None:
        # "for a while", "da un po'", "il y a un moment": a vague stretch before the report
        if not (ago or roles & {"since", "duration"}):
            return None
        low, high, unit = kinds["while"].value
        lo, hi = _back(high, unit, anchor), _back(low, unit, anchor)
        result = Window(anchor.shifted(lo), anchor.shifted(hi)), Precision.VAGUE
        if roles & {"since", "duration"} or "dur_after_ago" in kinds:
            role = Role.DURATION
    elif qty is not None:
        q: Quantity = qty.value
        then = kinds.get("dur_after_ago")
        if ago and ((then is not None and then.start > qty.start)
                    or ("duration" in roles and "since" not in roles)):
            # "hace dos días que ...", "ça fait deux jours": a duration said as an ago.
            result, role = _counted_back(q, anchor), Role.DURATION
        elif ago:
            result = _ago(q, kinds, anchor)
            if "since" in roles:
                role = Role.SINCE
        elif roles & {"since", "duration"}:
            result, role = _counted_back(q, anchor), Role.DURATION
        else:
            return None
    else:
        result = point(kinds, anchor)
        if result is not None and "since" in roles:
            role = Role.SINCE
    if result is None:
        return None
    window, precision = result
    if role is Role.SINCE:
        if window.start >= anchor.at:
            return None
        window = Window(window.start, anchor.shifted(anchor.at))
    meaningful = [p for p in group if p.kind not in ("dur_after_ago",)]
    return TimeRef(meaningful[0].start, meaningful[-1].end, role, window, precision,
                   tuple((p.start, p.end) for p in group),
                   recurring=_every(kinds["recurring"].value) if "recurring" in kinds else None)


def _every(what: str | int) -> str:
    """What a recurring phrase repeats, as a claim says it: a weekday by name."""
    return WEEKDAY_NAMES[what] if isinstance(what, int) else what


def _counted_back(q: Quantity, anchor: Anchor) -> tuple[Window, Precision]:
    """The instant a quantity before the report, widened by the unit's slack."""
    slack, precision = _SLACK[q.unit]
    earliest, latest = _back(q.high, q.unit, anchor), _back(q.low, q.unit, anchor)
    if q.vague:
        precision = Precision.VAGUE
    # Aware arithmetic in one zone is wall-clock arithmetic in Python: do it in UTC.
    lo, hi = earliest.astimezone(UTC) - slack, latest.astimezone(UTC) + slack
    return Window(anchor.shifted(lo), anchor.shifted(hi)), precision


def _back(amount: float, unit: str, anchor: Anchor) -> datetime:
    if unit in _UNIT_MINUTES:
        # Elapsed time: count in absolute time so a DST change in between is not lost.
        return anchor.at.astimezone(UTC) - timedelta(minutes=amount * _UNIT_MINUTES[unit])
    if unit == "week":
        amount, unit = amount * 7, "day"
    if amount != int(amount):
        return anchor.local(anchor.wall - timedelta(days=amount * {"day": 1, "month": 30,
                                                                     "year": 365}[unit]))
    return anchor.local(anchor.calendar(f"{int(amount)} {unit}s ago"))


def _ago(q: Quantity, kinds: dict[str, Piece], anchor: Anchor) -> tuple[Window, Precision]:
    if q.unit != "day":
        return _counted_back(q, anchor)
    first = anchor.calendar(f"{int(q.high)} days ago").date()
    last = anchor.calendar(f"{int(q.low)} days ago").date()
    if not q.vague and ("part" in kinds or "clock" in kinds):
        return within_day(first, kinds, anchor, explicit_day=True)
    window = Window(anchor.midnight(first), anchor.midnight(last + timedelta(days=1)))
    return window, Precision.VAGUE if q.vague else Precision.DAY
