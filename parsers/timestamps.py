"""Timestamp helpers: strings to UTC in bulk, zone assumptions, and year inference for year-less logs."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from parsers.lines import text_buffers
from parsers.spec import EPOCH_UNITS, TimestampSpec

NAIVE = pl.Datetime("us")
UTC = pl.Datetime("us", "UTC")
PROVISIONAL_YEAR = 2000  # a leap year, so "Feb 29" parses before the real year is known


def _clean(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars().str.replace_all(r"\s+", " ")


def parse_naive(strings: pl.Expr, formats: tuple[str, ...], prefix_year: bool = False,
                clean: bool = True) -> pl.Expr:
    """First format that parses the whole string wins; null where none does. clean=False:
    the strings are clean already (parse_series cleans only those that fail as they are)."""
    text = _clean(strings) if clean else strings
    if prefix_year:
        text = pl.lit(f"{PROVISIONAL_YEAR} ") + text
        formats = tuple(f"%Y {f}" for f in formats)
    attempts = [text.str.strptime(NAIVE, f, strict=False, exact=True) for f in formats]
    return pl.coalesce(attempts) if len(attempts) > 1 else attempts[0]


def parse_with_offset(strings: pl.Expr, formats: tuple[str, ...], clean: bool = True) -> pl.Expr:
    """Strings that carry their own UTC offset (%z); a trailing Z counts as +00:00."""
    text = (_clean(strings) if clean else strings).str.replace(r"Z$", "+00:00").str.replace(r"(?i) ?UTC$", " +00:00")
    attempts = [text.str.strptime(UTC, f, strict=False, exact=True) for f in formats]
    return pl.coalesce(attempts) if len(attempts) > 1 else attempts[0]


def parse_epoch(strings: pl.Expr, unit: str) -> pl.Expr:
    """Epoch numbers (possibly fractional, as strings) to UTC datetimes."""
    factor = EPOCH_UNITS[unit]
    micros = (strings.str.strip_chars().cast(pl.Float64, strict=False) * factor)
    # Float64 keeps microseconds exact for epochs in seconds up to year 2255.
    return micros.round(0).cast(pl.Int64, strict=False).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


# A step back of the wall clock larger than this, inside the repeated hour, is the clock
# going back; smaller steps are lines written slightly out of order.
FOLD_STEP = pl.duration(minutes=5)


def localize(naive: pl.Expr, tz: str) -> pl.Expr:
    """Wall-clock times in zone tz to UTC, in file order.

    In the hour that repeats when clocks go back, a time is read as the first occurrence
    until the wall clock in the file steps back into that hour, and as the second one from
    then on that day. Times in the skipped hour (clocks going forward) are read as if the
    clock had not yet moved, as a machine whose clock was not yet adjusted would write them.
    """
    if tz.upper() in ("UTC", "ETC/UTC", "GMT", "Z"):
        return naive.dt.replace_time_zone("UTC")
    early = naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
    late = naive.dt.replace_time_zone(tz, ambiguous="latest", non_existent="null")
    ambiguous = early != late
    day = naive.dt.date()
    stepped_back = (naive.cum_max().over(day) - naive) > FOLD_STEP
    repeated = (stepped_back & ambiguous).cum_max().over(day)
    first = pl.when(ambiguous & repeated).then(late).otherwise(early)
    skipped = (naive - pl.duration(hours=1)).dt.replace_time_zone(
        tz, ambiguous="earliest", non_existent="null") + pl.duration(hours=1)
    return pl.coalesce(first, skipped).dt.convert_time_zone("UTC")


SYSLOG_FORMAT = "%b %d %H:%M:%S"
_MONTHS = [m.lower().encode() for m in calendar.month_abbr[1:]]
# the three letters of each month, lower case, as one integer; sorted, with its month number
_MONTH_KEYS = np.array([(m[0] << 16) | (m[1] << 8) | m[2] for m in _MONTHS], dtype=np.int64)
_MONTH_ORDER = np.argsort(_MONTH_KEYS)
_MONTH_SORTED = _MONTH_KEYS[_MONTH_ORDER]
# in the provisional year (a leap year): days before each month, and each month's length
_MONTH_LENGTHS = np.array([0] + [calendar.monthrange(PROVISIONAL_YEAR, m)[1] for m in range(1, 13)])
_DAYS_BEFORE = np.concatenate([[0], np.cumsum(_MONTH_LENGTHS[1:])])
_YEAR_START_US = int((datetime(PROVISIONAL_YEAR, 1, 1) - datetime(1970, 1, 1)).total_seconds()) * 1_000_000


def syslog_stamps(strings: pl.Series) -> tuple[pl.Series, pl.Series]:
    """The RFC 3164 times ("Jan  5 07:08:09", "Jan 05 ..."), provisional year, read from the
    bytes of the whole column at once; and which rows that covered. Only that exact
    15-character layout is read here, and for it the result is what strptime with
    "%Y %b %d %H:%M:%S" gives (month names in any case, 60 seconds as the next minute, an
    impossible date or time null); other rows are for the caller (benchmarks/chunk_stages.py:
    a quarter of strptime's time)."""
    count = strings.len()
    parsed = np.zeros(count, dtype=np.int64)
    done = np.zeros(count, dtype=bool)
    offsets, data = text_buffers(strings)
    if data.size == 0:
        return pl.Series(parsed).cast(NAIVE), pl.Series(done)
    valid = strings.is_not_null().to_numpy() if strings.null_count() else np.ones(count, dtype=bool)
    fifteen = valid & (np.diff(offsets) == 15)
    if fifteen.all():  # the usual chunk: the strings lie back to back, a matrix as they are
        rows = np.arange(count)
        b = data[offsets[0]:offsets[0] + 15 * count].reshape(count, 15)
    else:
        rows = np.flatnonzero(fifteen)
        b = data[offsets[rows, None] + np.arange(15, dtype=np.int64)]
    column = [b[:, i].astype(np.int32) for i in range(15)]
    digits = [c - 48 for c in column]

    def is_digit(i: int) -> np.ndarray:
        return (digits[i] >= 0) & (digits[i] <= 9)

    lower = [c | 0x20 for c in column[:3]]
    key = (lower[0] << 16) | (lower[1] << 8) | lower[2]
    at = np.minimum(np.searchsorted(_MONTH_SORTED, key), 11)
    month = _MONTH_ORDER[at] + 1
    padded = column[4] == 32
    day = np.where(padded, 0, digits[4]) * 10 + digits[5]
    hour = digits[7] * 10 + digits[8]
    minute = digits[10] * 10 + digits[11]
    second = digits[13] * 10 + digits[14]
    # the key (each byte | 0x20) equals a month's only when all three bytes are letters of its
    # name, in either case
    shape = ((_MONTH_SORTED[at] == key) & (column[3] == 32) & (column[6] == 32) & (column[9] == 58) & (column[12] == 58)
             & (padded | is_digit(4)) & is_digit(5) & is_digit(7) & is_digit(8) & is_digit(10)
             & is_digit(11) & is_digit(13) & is_digit(14))
    sane = shape & (day >= 1) & (day <= _MONTH_LENGTHS[month]) & (hour <= 23) & (minute <= 59) & (second <= 60)
    seconds = (_DAYS_BEFORE[month - 1] + day - 1) * 86400 + hour * 3600 + minute * 60 + second
    parsed[rows] = _YEAR_START_US + seconds.astype(np.int64) * 1_000_000
    done[rows] = shape
    # read as this layout but no real time (Feb 30, 25:00): null, as strptime has it
    result = pl.Series(parsed).cast(NAIVE).scatter(rows[shape & ~sane], None)
    return result, pl.Series(done)


def parse_series(strings: pl.Series, spec: TimestampSpec, tz: str, prefix_year: bool = False) -> pl.Series:
    """A chunk's timestamp strings by the spec: UTC datetimes, or with prefix_year the naive
    provisional-year ones of a year-less format.

    Strings are parsed as they are; only those that fail are parsed again cleaned (trimmed,
    whitespace runs as one space). Cleaning never changes a time that already parses (the
    parser reads a run of whitespace where the format has a space), and cleaning every string
    first cost as much as the parse itself."""
    if spec.zone == "epoch":
        return pl.select(parse_epoch(pl.lit(strings), spec.epoch_unit)).to_series()

    def parse(values: pl.Series) -> pl.Series:
        text = pl.lit(values)
        if spec.zone == "offset":
            return pl.select(parse_with_offset(text, spec.formats, clean=False)).to_series()
        return pl.select(parse_naive(text, spec.formats, prefix_year=prefix_year, clean=False)).to_series()

    if prefix_year and spec.formats[0] == SYSLOG_FORMAT and spec.zone != "offset":
        parsed, done = syslog_stamps(strings)
        rest = (~done).arg_true()
        if rest.len():  # other spellings ("Jan 1 ...", "January"), and what is not a time
            parsed = parsed.scatter(rest, parse(strings.gather(rest)))
    else:
        parsed = parse(strings)
    retry = parsed.is_null() & strings.is_not_null()
    if retry.any():
        rows = retry.arg_true()
        cleaned = pl.select(_clean(pl.lit(strings.gather(rows)))).to_series()
        parsed = parsed.scatter(rows, parse(cleaned))
    if spec.zone != "offset" and not prefix_year:
        # in file order over the whole chunk: the repeated DST hour depends on it
        zone = "UTC" if spec.zone == "utc" else tz
        parsed = pl.DataFrame({"t": parsed}).select(localize(pl.col("t"), zone)).to_series()
    return parsed


def quality(spec: TimestampSpec) -> str:
    year = spec.year == "infer"
    zone = spec.zone == "local"
    if year and zone:
        return "year_inferred+tz_assumed"
    if year:
        return "year_inferred"
    if zone:
        return "tz_assumed"
    return "exact"


# A step back of more than a month is a New Year (logs are written in time order, give or
# take a few out-of-order lines); a step forward of more than eleven months is an
# out-of-order line from just before the New Year. Anything else, however large a
# forward gap, stays in the same year.
BACKWARD_DAYS = 31
FORWARD_DAYS = 335


@dataclass
class YearTracker:
    """Follows day-of-year order through a year-less file to count New Year rollovers."""

    previous_position: int | None = None
    rolls: int = 0
    max_roll: int = 0
    # (roll, month, day, time-of-day) of the latest moment seen in each roll segment
    latest: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    feb29_rolls: set[int] = field(default_factory=set)

    def assign(self, naive: pl.Series) -> pl.Series:
        """Roll index per row for provisional (year 2000) datetimes; nulls stay null."""
        # position in the year in "month * 31 + day" units: steps compare as day counts
        position = (naive.dt.month().cast(pl.Int32) * 31 + naive.dt.day().cast(pl.Int32))
        valid = position.is_not_null().to_numpy()
        here = position.drop_nulls().to_numpy().astype(np.int64)
        steps = np.zeros(len(naive), dtype=np.int64)
        if here.size:
            # each valid row against the valid row before it (unparsed rows do not break the
            # chain); the first against the last position of the previous chunk, if any
            before = np.empty_like(here)
            before[1:] = here[:-1]
            before[0] = here[0] if self.previous_position is None else self.previous_position
            steps[valid] = np.where(here < before - BACKWARD_DAYS, 1, np.where(here > before + FORWARD_DAYS, -1, 0))
        roll = np.cumsum(steps) + self.rolls
        if here.size:
            rolls_here = roll[valid]
            self.previous_position = int(here[-1])
            self.rolls = int(roll[-1])
            self.max_roll = max(self.max_roll, int(rolls_here.max()))
            stamps = naive.filter(pl.Series(valid))
            if rolls_here.min() == rolls_here.max():
                latest = [(int(rolls_here[0]), stamps.max())]
            else:
                per_roll = pl.DataFrame({"roll": rolls_here, "ts": stamps}).group_by("roll").agg(pl.col("ts").max())
                latest = per_roll.iter_rows()
            for r, ts in latest:
                key = (ts.month, ts.day, ts.hour * 3600 + ts.minute * 60 + ts.second)
                if r not in self.latest or key > self.latest[r]:
                    self.latest[r] = key
            feb29 = here == 2 * 31 + 29
            if feb29.any():
                self.feb29_rolls.update(int(r) for r in np.unique(rolls_here[feb29]))
        return pl.Series(roll, dtype=pl.Int32)

    def anchor(self, reference: datetime) -> int:
        """The year of roll segment 0, such that no line lies after the reference moment
        (one day's grace for zones) and every Feb 29 falls in a leap year."""
        if not self.latest:
            return reference.year
        last_roll = max(self.latest)
        month, day, _ = self.latest[last_roll]
        ref = reference + timedelta(days=1)
        last_year = ref.year if (month, day) <= (ref.month, ref.day) else ref.year - 1
        base = last_year - last_roll
        for _ in range(8):
            if all(calendar.isleap(base + r) for r in self.feb29_rolls):
                return base
            base -= 1
        return last_year - last_roll


def apply_years(naive: pl.Expr, roll: pl.Expr, anchor: int) -> pl.Expr:
    """Provisional-year datetimes to real ones: year = anchor + roll."""
    year = pl.lit(anchor, dtype=pl.Int32) + roll
    date = pl.date(year, naive.dt.month(), naive.dt.day())
    return date.cast(NAIVE) + (naive - naive.dt.truncate("1d"))


def years_for(frame: pl.DataFrame, anchor: int, naive: str = "_naive", roll: str = "_roll") -> pl.Expr:
    """apply_years for one chunk. A chunk is nearly always within one year: then the dates
    move by a whole number of years (twice as fast), unless that would move a Feb 29 into a
    year without one."""
    rolls = frame[roll].drop_nulls()
    stamps = frame[naive].drop_nulls()
    if rolls.len() and rolls.min() == rolls.max():
        year = anchor + int(rolls[0])
        feb29 = datetime(PROVISIONAL_YEAR, 2, 29)
        if calendar.isleap(year) or not (stamps.min() < feb29 + timedelta(days=1) and stamps.max() >= feb29):
            return pl.col(naive).dt.offset_by(f"{year - PROVISIONAL_YEAR}y")
    return apply_years(pl.col(naive), pl.col(roll), anchor)
