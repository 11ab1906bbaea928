"""Draft claims of a statement -> linked claims: onsets date symptoms, counts join logins (evidence.claims)."""

from __future__ import annotations

from dataclasses import dataclass, field

from evidence.claims.apps import app_named
from evidence.claims.model import Kind, LoginSense, Polarity, Precision, RestartSense, Window


@dataclass
class Draft:
    """A claim before ids are given: where it sits and what it says."""

    start: int
    end: int
    clause: int
    kind: Kind
    polarity: Polarity
    text: str
    window: Window | None = None
    precision: Precision = Precision.VAGUE
    dates: Draft | None = None
    extra: list[Draft] = field(default_factory=list)
    subject: str | None = None
    attempts: int | None = None
    # A count of tries said with no symptom ("I only tried once"): a login claim only when the
    # statement speaks of a login elsewhere.
    orphan: bool = False
    recurring: str | None = None
    sense: LoginSense | None = None
    restart: RestartSense | None = None
    remote: bool = False


def targets(drafts: list[Draft], clause: int) -> list[Draft]:
    """The symptoms a time phrase speaks of: its own clause's, else the nearest clause's."""
    by_clause: dict[int, list[Draft]] = {}
    for draft in drafts:
        by_clause.setdefault(draft.clause, []).append(draft)
    if clause in by_clause:
        return by_clause[clause]
    for distance in range(1, 1 + max(by_clause, default=0) + clause):
        for candidate in (clause + distance, clause - distance):
            if candidate in by_clause:
                return by_clause[candidate]
    return []


def deduplicated(drafts: list[Draft]) -> list[Draft]:
    seen, kept = set(), []
    for draft in drafts:
        # "Outlook crashes and Excel freezes": one claim per known program, which the checks
        # tell apart; other names ("the checkout page ... the API") are one claim
        known = draft.subject if draft.subject and app_named(draft.subject) else None
        key = (draft.kind, draft.polarity, draft.window, known, draft.attempts)
        if key in seen and draft.kind is not Kind.ONSET:
            continue
        seen.add(key)
        kept.append(draft)
    return kept


def counted_logins(drafts: list[Draft]) -> list[Draft]:
    """Counts of tries are about the statement's login: "I got locked out this morning, I only
    typed my password once" counts the tries of this morning's lockout, on the same account. A
    count said with no symptom stays only when a login is spoken of."""
    logins = [d for d in drafts if d.kind is Kind.LOGIN and d.attempts is None]
    kept = []
    for draft in drafts:
        if draft.attempts is not None and draft.kind is Kind.LOGIN:
            if draft.orphan and not logins:
                continue
            # the nearest login said before it, else the first after it
            near = sorted(logins, key=lambda d: (d.start > draft.start, abs(d.start - draft.start)))
            if draft.subject is None and near:
                draft.subject = near[0].subject
            timed = [d for d in near if d.window is not None]
            if draft.window is None and timed:
                draft.window, draft.precision = timed[0].window, timed[0].precision
        kept.append(draft)
    return kept


def date_orphan_onsets(drafts: list[Draft]) -> None:
    """An onset said apart from its symptom ("It started Monday. It is slow.") dates it."""
    asserted = [d for d in drafts if d.kind is not Kind.ONSET and d.polarity is Polarity.ASSERTED
                and d.attempts is None]
    for draft in drafts:
        if draft.kind is Kind.ONSET and draft.dates is None and asserted:
            draft.dates = asserted[0]
