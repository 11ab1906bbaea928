"""Time phrases in a statement -> windows anchored at the report time (evidence.claims).

dateparser does the calendar arithmetic (weekdays, "N days/months ago") from RELATIVE_BASE in
the customer's zone; the pieces dateparser misses in free text (number words, "since X",
parts of the day, durations, weekday names in any language) are found by grammar.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import dateparser

from evidence.claims.grammar import Clock, Piece, Quantity, grammar_for
from evidence.claims.model import Precision, Window

# Local hours of each part of the day; the end may pass midnight (24+).
PART_HOURS = {
    "morning": (6, 12),
    "afternoon": (12, 18),
    "evening": (18, 23),
    "night": (22, 30),
    # "last night", "anoche": the evening and the night after it.
    "lastnight": (18, 30),
}
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


@dataclass(frozen=True)
class Anchor:
    """The moment the statement was made, in the customer's zone."""

    at: datetime
    zone: ZoneInfo

    @property
    def wall(self) -> datetime:
        return self.at.astimezone(self.zone).replace(tzinfo=None)

    @property
    def today(self) -> date:
        return self.wall.date()

    def local(self, wall: datetime) -> datetime:
        # Through UTC so a wall time inside a DST gap lands on a real instant.
        return wall.replace(tzinfo=self.zone).astimezone(UTC).astimezone(self.zone)

    def shifted(self, instant: datetime) -> datetime:
        return instant.astimezone(self.zone)

    def calendar(self, expression: str) -> datetime:
        """dateparser on a canonical English expression, anchored at the report (wall time)."""
        got = dateparser.parse(
            expression,
            languages=["en"],
            settings={
                "RELATIVE_BASE": self.wall,
                "TIMEZONE": str(self.zone.key),
                "RETURN_AS_TIMEZONE_AWARE": False,
                "PREFER_DATES_FROM": "past",
            },
        )
        if got is None:  # pragma: no cover - canonical expressions always parse
            raise ValueError(f"dateparser could not read {expression!r}")
        return got


def find_time_refs(folded: str, code: str, anchor: Anchor) -> list[TimeRef]:
    """Every time phrase in a folded text, as a window with its role and precision."""
    grammar = grammar_for(code)
    pieces = grammar.scan(folded)
    groups: list[list[Piece]] = []
    for piece in pieces:
        if groups and grammar.joins(folded[groups[-1][-1].end:piece.start]):
            groups[-1].append(piece)
        elif groups and _since_reaches(groups[-1], folded[groups[-1][-1].end:piece.start],
                                       grammar.since_reach):
            # "since the update on 20 November": the marker still governs the date.
            groups[-1].append(piece)
        else:
            groups.append([piece])
    refs = []
    for group in groups:
        ref = _interpret(group, anchor)
        if ref is not None:
            refs.append(ref)
    return refs


def _since_reaches(group: list[Piece], gap: str, reach: int) -> bool:
    """A lone since-marker binds to a point a few plain words later in the same clause."""
    lone = len(group) == 1 and group[0].kind == "mark" and "since" in group[0].value
    return lone and len(gap.split()) <= reach and not re.search(r"[^\w\s'-]", gap)


def _interpret(group: list[Piece], anchor: Anchor) -> TimeRef | None:
    kinds: dict[str, Piece] = {}
    roles: set[str] = set()
    for piece in group:
        kinds.setdefault(piece.kind, piece)
        if piece.kind == "mark":
            roles |= piece.value
    qty = kinds.get("qty")
    result: tuple[Window, Precision] | None
    role = Role.POINT
    if qty is not None:
        q: Quantity = qty.value
        ago = "ago_after" in kinds or "ago_before" in roles
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
        result = _point(kinds, anchor)
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
                   tuple((p.start, p.end) for p in group))


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
        return _within_day(first, kinds, anchor, explicit_day=True)
    window = Window(_midnight(first, anchor), _midnight(last + timedelta(days=1), anchor))
    return window, Precision.VAGUE if q.vague else Precision.DAY


def _midnight(day: date, anchor: Anchor) -> datetime:
    return anchor.local(datetime.combine(day, time()))


def _point(kinds: dict[str, Piece], anchor: Anchor) -> tuple[Window, Precision] | None:
    day: date | None = None
    explicit = True
    part = kinds["part"].value if "part" in kinds else None
    clock: Clock | None = kinds["clock"].value if "clock" in kinds else None
    if "date" in kinds:
        year, month, dom, date_clock = kinds["date"].value
        day = date(year or anchor.today.year, month, dom)
        if year is None and day > anchor.today:
            day = date(anchor.today.year - 1, month, dom)
        clock = clock or date_clock
    elif "weekday_part" in kinds:
        weekday, part = kinds["weekday_part"].value
        day = _weekday(weekday, anchor)
    elif "weekday" in kinds:
        day = _weekday(kinds["weekday"].value, anchor)
    elif "compound" in kinds:
        offset, part = kinds["compound"].value
        day = anchor.today + timedelta(days=offset)
        explicit = offset != 0
    elif "relday" in kinds:
        offset = kinds["relday"].value
        day = anchor.today + timedelta(days=offset)
        explicit = offset != 0
    elif "period" in kinds and ("last" in kinds or "this" in kinds):
        return _period(kinds["period"].value, "last" in kinds, anchor)
    if day is None and part is None and clock is None:
        return None
    if part is None and clock is None:
        return Window(_midnight(day, anchor), _midnight(day + timedelta(days=1), anchor)), Precision.DAY
    if day is None:
        day, explicit = anchor.today, False
    return _within_day(day, {**kinds, "part": _Value(part)} if part else kinds, anchor, explicit)


@dataclass(frozen=True)
class _Value:
    value: object


def _within_day(day: date, kinds: dict, anchor: Anchor, explicit_day: bool) -> tuple[Window, Precision]:
    """A part of the day or a clock time on a day; an implicit day is the latest one past."""
    part = kinds["part"].value if "part" in kinds else None
    clock: Clock | None = kinds["clock"].value if "clock" in kinds else None
    if clock is None:
        lo, hi = PART_HOURS[part]
        start = anchor.local(datetime.combine(day, time()) + timedelta(hours=lo))
        if not explicit_day and start > anchor.at:
            return _within_day(day - timedelta(days=1), kinds, anchor, True)
        end = anchor.local(datetime.combine(day, time()) + timedelta(hours=hi))
        return Window(start, end), Precision.HOUR
    hour = _hour_of_day(clock, part)
    at_day = day
    if part in ("night", "lastnight") and hour < 12:
        at_day = day + timedelta(days=1)
    instant = anchor.local(datetime.combine(at_day, time(hour, clock.minute or 0)))
    if not explicit_day and instant > anchor.at:
        return _within_day(day - timedelta(days=1), kinds, anchor, True)
    utc = instant.astimezone(UTC)
    if clock.approx:
        lo, hi, precision = utc - timedelta(hours=1), utc + timedelta(hours=1), Precision.HOUR
    elif clock.minute is not None:
        lo, hi, precision = utc, utc + timedelta(minutes=1), Precision.MINUTE
    else:
        lo, hi, precision = utc - timedelta(minutes=30), utc + timedelta(minutes=30), Precision.HOUR
    return Window(anchor.shifted(lo), anchor.shifted(hi)), precision


def _hour_of_day(clock: Clock, part: str | None) -> int:
    hour = clock.hour
    if clock.meridiem == "pm" and hour < 12:
        return hour + 12
    if clock.meridiem == "am":
        return 0 if hour == 12 else hour
    # "at 11 in the evening": the part of the day says which half of the clock.
    if part in ("afternoon", "evening", "lastnight") and 1 <= hour < 12:
        return hour + 12
    if part == "night" and 7 <= hour < 12:
        return hour + 12
    if part == "night" and hour == 12:
        return 0
    return hour


def _weekday(weekday: int, anchor: Anchor) -> date:
    """The most recent such weekday strictly before the report day."""
    names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    day = anchor.calendar(names[weekday]).date()
    if day >= anchor.today:
        day -= timedelta(days=7 * ((day - anchor.today).days // 7 + 1))
    return day


def _period(unit: str, last: bool, anchor: Anchor) -> tuple[Window, Precision]:
    today = anchor.today
    if unit == "week":
        start = today - timedelta(days=today.weekday() + (7 if last else 0))
        end = start + timedelta(days=7)
    elif unit == "month":
        start = today.replace(day=1)
        if last:
            start = (start - timedelta(days=1)).replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
    else:
        start = date(today.year - (1 if last else 0), 1, 1)
        end = date(start.year + 1, 1, 1)
    return Window(_midnight(start, anchor), _midnight(end, anchor)), Precision.VAGUE
