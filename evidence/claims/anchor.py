"""The moment a statement was made, in the customer's zone: the base of every window (evidence.claims).

dateparser does the calendar arithmetic from here ("3 days ago", "monday"); instants are built
through UTC so wall times in a DST gap or fold land on real instants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import dateparser


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

    def midnight(self, day: date) -> datetime:
        return self.local(datetime.combine(day, time()))

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
