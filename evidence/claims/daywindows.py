"""Time-phrase pieces that name a day, a part of it or a clock time -> windows (evidence.claims).

A day said without a year, month or week ("20 November", "the 18th", "Monday", "Christmas") is
the most recent one past; a part of the day or clock time said without a day is the latest one
that has begun. Recurring phrases ("every morning") cover the recent days' occurrences.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from evidence.claims.anchor import Anchor
from evidence.claims.clockgrammar import Clock
from evidence.claims.model import Precision, Window

# Local hours of each part of the day; the end may pass midnight (24+).
PART_HOURS = {
    "morning": (6, 12),
    "afternoon": (12, 18),
    "evening": (18, 23),
    "night": (22, 30),
    # "last night", "anoche": the evening and the night after it.
    "lastnight": (18, 30),
    # "after lunch", "dopo pranzo", "seit der Mittagspause": the early afternoon.
    "afterlunch": (13, 15),
}
# A weekday as a recurring claim names it ("every Monday" = "monday"); 0 = Monday, as date.weekday().
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# What "every morning" covers: the mornings of the last 7 days (a working week and its weekend),
# "every Monday" the last 4 Mondays. The checks look for the symptom in any of them.
RECENT_DAYS = 7
RECENT_WEEKS = 4
# A clock range this short is read to the minute ("between 9:10 and 9:20").
_MINUTE_RANGE = timedelta(minutes=15)


@dataclass(frozen=True)
class _Value:
    value: object


def point(kinds: dict, anchor: Anchor) -> tuple[Window, Precision] | None:
    """The window of one phrase's pieces that name a day, a part of it or a clock time."""
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
    elif "dom" in kinds:
        day = day_of_month(kinds["dom"].value, anchor.today)
    elif "weekday_part" in kinds:
        weekday_index, part = kinds["weekday_part"].value
        day = weekday(weekday_index, anchor)
    elif "weekday" in kinds:
        day = weekday(kinds["weekday"].value, anchor)
    elif "compound" in kinds:
        offset, part = kinds["compound"].value
        day = anchor.today + timedelta(days=offset)
        explicit = offset != 0
    elif "relday" in kinds:
        offset = kinds["relday"].value
        day = anchor.today + timedelta(days=offset)
        explicit = offset != 0
    elif "weekend" in kinds:
        return weekend(anchor)
    elif "period" in kinds and ("last" in kinds or "this" in kinds):
        return period(kinds["period"].value, "last" in kinds, anchor)
    if "clock_range" in kinds:
        if day is None:
            day, explicit = anchor.today, False
        return _clock_range(day, kinds["clock_range"].value, part, anchor, explicit)
    if day is None and part is None and clock is None:
        return None
    if part is None and clock is None:
        return Window(anchor.midnight(day), anchor.midnight(day + timedelta(days=1))), Precision.DAY
    if day is None:
        day, explicit = anchor.today, False
    return within_day(day, {**kinds, "part": _Value(part)} if part else kinds, anchor, explicit)


def within_day(day: date, kinds: dict, anchor: Anchor, explicit_day: bool) -> tuple[Window, Precision]:
    """A part of the day or a clock time on a day; an implicit day is the latest one past."""
    part = kinds["part"].value if "part" in kinds else None
    clock: Clock | None = kinds["clock"].value if "clock" in kinds else None
    if clock is None:
        lo, hi = PART_HOURS[part]
        start = anchor.local(datetime.combine(day, time()) + timedelta(hours=lo))
        if not explicit_day and start > anchor.at:
            return within_day(day - timedelta(days=1), kinds, anchor, True)
        end = anchor.local(datetime.combine(day, time()) + timedelta(hours=hi))
        return Window(start, end), Precision.HOUR
    hour = hour_of_day(clock, part)
    at_day = day
    if part in ("night", "lastnight") and hour < 12:
        at_day = day + timedelta(days=1)
    instant = anchor.local(datetime.combine(at_day, time(hour, clock.minute or 0)))
    if not explicit_day and instant > anchor.at:
        return within_day(day - timedelta(days=1), kinds, anchor, True)
    utc = instant.astimezone(UTC)
    if clock.approx:
        lo, hi, precision = utc - timedelta(hours=1), utc + timedelta(hours=1), Precision.HOUR
    elif clock.minute is not None:
        lo, hi, precision = utc, utc + timedelta(minutes=1), Precision.MINUTE
    else:
        lo, hi, precision = utc - timedelta(minutes=30), utc + timedelta(minutes=30), Precision.HOUR
    return Window(anchor.shifted(lo), anchor.shifted(hi)), precision


def _clock_range(day: date, ends: tuple[Clock, Clock], part: str | None, anchor: Anchor,
                 explicit_day: bool) -> tuple[Window, Precision]:
    """"between 9 and 11": from the first clock time to the second, on the day; the second may
    pass noon ("from 11 to 1") or midnight ("from 22 to 2"); the end is cut at the report."""
    first, second = ends
    lo = hour_of_day(first, part)
    if first.meridiem is None and second.meridiem is not None:
        # "between 9 and 11pm": the first end shares the second's half of the clock when it fits
        shared = hour_of_day(Clock(first.hour, first.minute, second.meridiem, False), part)
        lo = shared if shared <= hour_of_day(second, part) else lo
    hi = hour_of_day(second, part)
    start_wall = datetime.combine(day, time(lo, first.minute or 0))
    end_wall = datetime.combine(day, time(hi, second.minute or 0))
    if end_wall <= start_wall:
        if second.meridiem is None and part is None and hi < 12 and hi + 12 > lo:
            end_wall += timedelta(hours=12)
        else:
            end_wall += timedelta(days=1)
    start = anchor.local(start_wall)
    if not explicit_day and start > anchor.at:
        return _clock_range(day - timedelta(days=1), ends, part, anchor, True)
    end = anchor.local(end_wall)
    if start < anchor.at < end:
        end = anchor.shifted(anchor.at)
    precision = Precision.MINUTE if end - start <= _MINUTE_RANGE else Precision.HOUR
    return Window(start, end), precision


def recurring(what: str | int, anchor: Anchor) -> tuple[Window, Precision]:
    """"every morning", "every day", "every Monday": from the first of the recent occurrences
    to the end of the latest one begun (the report time, when it is still under way)."""
    today = anchor.today
    if isinstance(what, int):
        last = weekday_on_or_before(what, today)
        start = anchor.midnight(last - timedelta(weeks=RECENT_WEEKS - 1))
        end = anchor.midnight(last + timedelta(days=1))
    elif what == "day":
        start = anchor.midnight(today - timedelta(days=RECENT_DAYS - 1))
        end = anchor.midnight(today + timedelta(days=1))
    else:
        lo, hi = PART_HOURS[what]
        last = today
        if anchor.local(datetime.combine(today, time()) + timedelta(hours=lo)) > anchor.at:
            last = today - timedelta(days=1)
        first = datetime.combine(last - timedelta(days=RECENT_DAYS - 1), time())
        start = anchor.local(first + timedelta(hours=lo))
        end = anchor.local(datetime.combine(last, time()) + timedelta(hours=hi))
    return Window(start, min(end, anchor.shifted(anchor.at))), Precision.VAGUE


def hour_of_day(clock: Clock, part: str | None) -> int:
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


def weekend(anchor: Anchor) -> tuple[Window, Precision]:
    """"Over the weekend": the last Saturday 00:00 to Monday 00:00 before the report (the one
    under way when said on a Saturday or Sunday)."""
    saturday = weekday_on_or_before(5, anchor.today)
    return Window(anchor.midnight(saturday), anchor.midnight(saturday + timedelta(days=2))), Precision.VAGUE


def weekday(weekday_index: int, anchor: Anchor) -> date:
    """The most recent such weekday strictly before the report day."""
    names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    day = anchor.calendar(names[weekday_index]).date()
    if day >= anchor.today:
        day -= timedelta(days=7 * ((day - anchor.today).days // 7 + 1))
    return day


def weekday_on_or_before(weekday_index: int, day: date) -> date:
    return day - timedelta(days=(day.weekday() - weekday_index) % 7)


def day_of_month(dom: int, latest: date) -> date:
    """"the 18th": the latest date with that day of the month on or before `latest`; months
    too short for it are passed over ("the 31st" said on 10 March is 31 January)."""
    year, month = latest.year, latest.month
    while True:
        if dom <= monthrange(year, month)[1] and date(year, month, dom) <= latest:
            return date(year, month, dom)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)


def period(unit: str, last: bool, anchor: Anchor) -> tuple[Window, Precision]:
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
    return Window(anchor.midnight(start), anchor.midnight(end)), Precision.VAGUE
