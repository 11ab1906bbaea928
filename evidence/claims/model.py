"""What evidence.claims produces: claims read from a customer's statement, for the checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    ONSET = "onset"
    SLOWNESS = "slowness"
    POPUP = "popup"
    OUTAGE = "outage"
    LOGIN = "login"
    REBOOT = "reboot"
    CRASH = "crash"
    CHANGE = "change"


# Kinds a statement can be about; an onset only dates one of these.
SYMPTOM_KINDS = tuple(kind for kind in Kind if kind is not Kind.ONSET)


class Polarity(StrEnum):
    ASSERTED = "asserted"
    DENIED = "denied"


class Precision(StrEnum):
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    # Wider than a day, a range of days ("a few days ago"), or no time given at all.
    VAGUE = "vague"


class LoginSense(StrEnum):
    """What a login claim is about: someone getting in ("nobody logged in over the weekend") or
    the customer failing to ("I can't log in", "my account is locked")."""

    ACCESS = "access"
    FAILURE = "failure"


class RestartSense(StrEnum):
    """What a reboot claim is about when its words say: a restart someone ran ("they restarted
    it") or one nobody asked for ("it reboots by itself"); None: any restart."""

    PLANNED = "planned"
    UNPLANNED = "unplanned"


class ClaimsInputError(ValueError):
    """Bad invocation input (zone, reported-at, language, empty text); one-line message."""


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def to_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass
class Claim:
    id: str
    text: str
    kind: Kind
    polarity: Polarity
    window: Window | None
    precision: Precision
    lang: str
    # For an onset: the id of the symptom claim it dates.
    dates: str | None = None
    # The program or service the customer names ("outlook", "mail server"); None when the
    # statement names none or only the machine ("the PC"); for a login, the user account it names
    # ("deploy"), None for "my account".
    subject: str | None = None
    # For a login: the most attempts the customer says they made ("I only typed my password
    # once" = 1); the logs may show no more failures than that. Shown only when said.
    attempts: int | None = None
    # Said as happening again and again ("every morning"): the window holds the recent
    # occurrences, not one; the value says what recurs ("morning", "day", "monday"). Shown
    # (as recurring: true, every: the value) only when said.
    recurring: str | None = None
    # For a login: access (a login happened) or failure (could not log in); None reads as failure.
    sense: LoginSense | None = None
    # For a reboot: planned or unplanned when the words say which. Shown only when said.
    restart: RestartSense | None = None
    # For a login: said to have come over the network ("someone logged in remotely"); only
    # remote logons count. Shown only when true.
    remote: bool = False

    def to_dict(self) -> dict:
        out = {
            "id": self.id,
            "text": self.text,
            "kind": str(self.kind),
            "polarity": str(self.polarity),
            "window": self.window.to_dict() if self.window else None,
            "precision": str(self.precision),
            "dates": self.dates,
            "lang": self.lang,
            "subject": self.subject,
        }
        if self.attempts is not None:
            out["attempts"] = self.attempts
        if self.recurring:
            out["recurring"] = True
            out["every"] = self.recurring
        if self.sense is not None:
            out["sense"] = str(self.sense)
        if self.restart is not None:
            out["restart"] = str(self.restart)
        if self.remote:
            out["remote"] = True
        return out


@dataclass
class ClaimsResult:
    claims: list[Claim] = field(default_factory=list)
    # Human-readable remarks for stderr or the report, e.g. "not understood: <text>".
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"claims": [claim.to_dict() for claim in self.claims]}

    def extend(self, other: ClaimsResult) -> None:
        self.claims.extend(other.claims)
        self.notes.extend(other.notes)
