"""Report document numbers -> words: durations and the claimed-vs-observed difference."""

from __future__ import annotations

_MINUTE = 60
_HOUR = 3600
_DAY = 86400
# Below this a duration keeps its minutes ("2 h 12 min"); above it the minutes are noise.
_PRECISE_HOURS_LIMIT = 12 * _HOUR
# Up to three days people still count in hours ("about 46 hours"), then in days.
_HOURS_LIMIT = 72 * _HOUR


def _round_half_up(value: float) -> int:
    return int(value + 0.5)


def humanize_duration(seconds: float) -> str:
    """A duration as an engineer says it on a call: `45 s`, `12 min`, `2 h 12 min`,
    `about 46 hours`, `3 days`, `about 9 days`. The sign is ignored: callers say
    earlier or later."""
    total = _round_half_up(abs(seconds))
    if total < _MINUTE:
        return f"{total} s"
    minutes = _round_half_up(total / _MINUTE)
    if minutes < 60:
        return f"{minutes} min"
    if total < _PRECISE_HOURS_LIMIT:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    if total < _HOURS_LIMIT:
        hours = _round_half_up(total / _HOUR)
        return f"{hours} hours" if total % _HOUR == 0 else f"about {hours} hours"
    days = _round_half_up(total / _DAY)
    return f"{days} days" if total % _DAY == 0 else f"about {days} days"


def delta_words(delta_seconds: float | None, *, within_window: bool | None = None) -> str:
    """The gap between what was claimed and what the logs show, in words.
    `within_window` wins over the number: an onset anywhere in the stated window matches
    the statement even though delta_seconds (measured from the window start) is not 0."""
    if within_window:
        return "within the stated window"
    if delta_seconds is None:
        return "not measured"
    if abs(delta_seconds) < _MINUTE:
        return "at the stated time"
    side = "later" if delta_seconds > 0 else "earlier"
    return f"{humanize_duration(delta_seconds)} {side} than stated"


def count_words(count: int, singular: str, plural: str | None = None) -> str:
    """`1 event`, `1,234 events`."""
    noun = singular if count == 1 else (plural or singular + "s")
    return f"{count:,} {noun}"
