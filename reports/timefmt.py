"""Report document -> display: ISO 8601 strings read back and shown in the case's zone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# An em dash marks a value the document does not hold; the views never invent one.
ABSENT = "\u2014"


def parse(value: object) -> datetime | None:
    """A tz-aware datetime from an ISO 8601 string; None for null or unreadable values.
    Naive strings are read as UTC because the contract says every time carries an offset."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def case_zone(doc: dict) -> tzinfo:
    """The zone the case was reported in; the offset of reported_at when the name is
    unknown; UTC as a last resort. Never the machine's zone."""
    name = doc.get("timezone")
    if isinstance(name, str) and name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    reported = parse(doc.get("reported_at"))
    if reported is not None and reported.utcoffset() is not None:
        return timezone(reported.utcoffset() or timedelta(0))
    return timezone.utc


def _zone_label(moment: datetime) -> str:
    label = moment.strftime("%Z")
    # Fixed offsets print as "UTC+01:00"; a bare offset reads better in a table.
    if not label or (label.startswith("UTC") and len(label) > 3):
        return moment.strftime("%z")[:3] + ":" + moment.strftime("%z")[3:]
    return label


def show(value: object, zone: tzinfo, *, seconds: bool = True, weekday: bool = False) -> str:
    """`2026-11-23 09:14:03 CET`; the em dash when the value is absent."""
    moment = parse(value)
    if moment is None:
        return ABSENT if value in (None, "") else str(value)
    local = moment.astimezone(zone)
    pattern = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    if weekday:
        pattern = "%a " + pattern
    return f"{local.strftime(pattern)} {_zone_label(local)}"


def show_window(window: object, zone: tzinfo) -> str:
    """`2026-11-21 00:00 CET to 2026-11-22 00:00 CET`, open ends said in words."""
    if not isinstance(window, dict):
        return "no time given"
    start, end = window.get("start"), window.get("end")
    if start is None and end is None:
        return "no time given"
    if end is None:
        return f"from {show(start, zone, seconds=False)} onwards"
    if start is None:
        return f"until {show(end, zone, seconds=False)}"
    return f"{show(start, zone, seconds=False)} to {show(end, zone, seconds=False)}"
