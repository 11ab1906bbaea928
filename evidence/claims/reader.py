"""A customer's statement -> claims: symptoms, denials and time phrases (evidence.claims)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from evidence.claims.apps import app_named
from evidence.claims.attempts import find_counts
from evidence.claims.lexicon import (
    Lexicon,
    alternation,
    available_languages,
    detect_language,
    fold,
    load_lexicon,
)
from evidence.claims.model import (
    SYMPTOM_KINDS,
    Claim,
    ClaimsInputError,
    ClaimsResult,
    Kind,
    Polarity,
    Precision,
    Window,
)
from evidence.claims.subject import OTHER_MARK, TIME_MARK, find_account, find_subject
from evidence.claims.timephrases import Anchor, Role, TimeRef, find_time_refs

# A full stop ends a sentence unless it closes a number ("20. November") or an abbreviation.
_SENTENCE_END = re.compile(r"[!?;\n]+|(?<=[^\d\s.]{2})\.+(?=\s|$)")
_CLAUSE_PUNCT = re.compile(r",|:|\s[-\u2013\u2014]\s|\(|\)")
# Kinds whose checks can narrow the evidence to the program the customer names.
SUBJECT_KINDS = (Kind.CRASH, Kind.OUTAGE, Kind.SLOWNESS)


@dataclass(frozen=True)
class _Patterns:
    symptoms: dict[Kind, re.Pattern[str]]
    denials: re.Pattern[str]
    inability: re.Pattern[str]
    continuing: re.Pattern[str]
    onset: re.Pattern[str]
    breaks: re.Pattern[str]


@cache
def _patterns(code: str) -> _Patterns:
    lex: Lexicon = load_lexicon(code)
    words = lex.text
    # Clause breaks are matched before folding: Italian "e" (and) is not "è" (is).
    breaks = "|".join(
        r"(?<!\w)" + re.escape(w.lower()).replace(r"\ ", r"\s+") + r"(?!\w)"
        for w in sorted(words.get("clause_breaks", []), key=len, reverse=True)
    )
    return _Patterns(
        symptoms={kind: re.compile(lex.symptom_regex(kind)) for kind in lex.symptoms},
        denials=re.compile(alternation(words.get("denials", []))),
        inability=re.compile(alternation(words.get("inability", []))),
        continuing=re.compile(alternation(words.get("continuing", []))),
        onset=re.compile(alternation(words.get("onset_verbs", []))),
        breaks=re.compile(breaks or r"(?!x)x"),
    )


@dataclass
class _Draft:
    """A claim before ids are given: where it sits and what it says."""

    start: int
    end: int
    clause: int
    kind: Kind
    polarity: Polarity
    text: str
    window: Window | None = None
    precision: Precision = Precision.VAGUE
    dates: _Draft | None = None
    extra: list[_Draft] = field(default_factory=list)
    subject: str | None = None
    attempts: int | None = None
    # A count of tries said with no symptom ("I only tried once"): a login claim only when the
    # statement speaks of a login elsewhere.
    orphan: bool = False


def parse_reported_at(value: str, tz: str) -> tuple[datetime, ZoneInfo]:
    """--reported-at and --tz as given on the command line; naive times are in the zone."""
    zone = parse_zone(tz)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ClaimsInputError(f"cannot read --reported-at {value!r}: give ISO 8601, "
                               "e.g. 2026-11-23T10:00:00+01:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment, zone


def parse_zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ClaimsInputError(f"unknown time zone {tz!r}: give an IANA name such as "
                               "Europe/Rome") from None


def read_claims(text: str, reported_at: datetime, tz: str, lang: str | None = None,
                id_start: int = 1) -> ClaimsResult:
    """Every claim a statement holds, with windows anchored at `reported_at` in `tz`."""
    if not text or not text.strip():
        raise ClaimsInputError("empty claim text")
    zone = parse_zone(tz)
    if lang is not None and lang not in available_languages():
        load_lexicon(lang)  # raises with the list of supported languages
    if reported_at.tzinfo is None:
        reported_at = reported_at.replace(tzinfo=zone)
    anchor = Anchor(reported_at.astimezone(zone), zone)
    code = lang or detect_language(text)
    result = ClaimsResult()
    drafts: list[_Draft] = []
    for start, end in _sentences(text):
        found = _read_sentence(text, start, end, code, anchor)
        if not found and text[start:end].strip():
            result.notes.append(f"not understood: {text[start:end].strip()}")
        drafts.extend(found)
    drafts = _counted_logins(_deduplicated(drafts))
    _date_orphan_onsets(drafts)
    ids = {id(d): f"c{n}" for n, d in enumerate(drafts, start=id_start)}
    for draft in drafts:
        result.claims.append(Claim(
            id=ids[id(draft)], text=draft.text, kind=draft.kind, polarity=draft.polarity,
            window=draft.window, precision=draft.precision, lang=code,
            dates=ids.get(id(draft.dates)) if draft.dates else None, subject=draft.subject,
            attempts=draft.attempts,
        ))
    if not result.claims:
        result.notes = [f"not understood: {text.strip()}"]
    return result


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, last = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((last, m.start()))
        last = m.end()
    spans.append((last, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _read_sentence(text: str, start: int, end: int, code: str, anchor: Anchor) -> list[_Draft]:
    raw = text[start:end]
    folded = fold(raw)
    pats = _patterns(code)
    refs = find_time_refs(folded, code, anchor)
    symptoms = _symptom_spans(folded, pats, refs)
    protected = [(r.start, r.end) for r in refs] + [(s, e) for s, e, _ in symptoms]
    spoken = [span for r in refs for span in r.pieces] + [(s, e) for s, e, _ in symptoms]
    cuts = _clause_cuts(raw, pats, protected)

    def clause_of(pos: int) -> int:
        return sum(1 for cut in cuts if cut <= pos)

    def clause_text(index: int) -> str:
        bounds = [0, *cuts, len(raw)]
        return _tidy(raw[bounds[index]:bounds[index + 1]], pats)

    # "can't log in", "n'arrête pas de planter": a negation that states the symptom denies nothing
    excluded = spoken + [m.span() for rx in (pats.inability, pats.continuing) for m in rx.finditer(folded)]
    denied_clauses = {clause_of(m.start()) for m in pats.denials.finditer(folded)
                      if not _overlaps(m.span(), excluded)}
    counts = [c for c in find_counts(folded, code) if not _overlaps((c.start, c.end), spoken)]
    # "je n'ai tapé mon mot de passe qu'une fois": "ne ... que" restricts, it does not deny
    denied_clauses -= {clause_of(c.start) for c in counts if c.only}
    onset_clauses = {clause_of(m.start()) for m in pats.onset.finditer(folded)
                     if not _overlaps(m.span(), spoken)}

    def subject_of(s: int, e: int, kind: Kind, clause: int) -> str | None:
        if kind not in SUBJECT_KINDS and kind is not Kind.LOGIN:
            return None
        bounds = [0, *cuts, len(raw)]
        others = [(a, b) for a, b, _ in symptoms if (a, b) != (s, e)]
        marked = _marked(_marked(folded, [span for r in refs for span in r.pieces], TIME_MARK),
                         others, OTHER_MARK)
        if kind is Kind.LOGIN:
            # a login is about an account, not a program: "unser Deploy-Benutzer", "user deploy"
            return find_account(marked, (bounds[clause], bounds[clause + 1]), code)
        object_first = pats.inability.match(folded, s) is not None
        return find_subject(marked, (s, e), (bounds[clause], bounds[clause + 1]), code, object_first)

    drafts: list[_Draft] = []
    for s, e, kind in symptoms:
        clause = clause_of(s)
        polarity = Polarity.DENIED if clause in denied_clauses else Polarity.ASSERTED
        if any(d.clause == clause and d.kind == kind and d.polarity == polarity for d in drafts):
            continue
        drafts.append(_Draft(s, e, clause, kind, polarity, clause_text(clause),
                             subject=subject_of(s, e, kind, clause)))

    bounds = [0, *cuts, len(raw)]
    for count in counts:
        clause = clause_of(count.start)
        # "Once I log in, ...": a count that opens its clause is a conjunction, not a number of tries
        if not count.only and not folded[bounds[clause]:count.start].strip(" \t,;:.-"):
            continue
        own = [d for d in drafts if d.clause == clause]
        login = next((d for d in own if d.kind is Kind.LOGIN), None)
        if login is not None:
            login.attempts = login.attempts or count.value
            if count.only:
                login.polarity = Polarity.ASSERTED
        elif not own:
            drafts.append(_Draft(count.start, count.end, clause, Kind.LOGIN, Polarity.ASSERTED,
                                 clause_text(clause), attempts=count.value, orphan=True))

    onsets: list[_Draft] = []
    for ref in refs:
        clause = clause_of(ref.start)
        targets = _targets(drafts, clause)
        own = [d for d in drafts if d.clause == clause and not d.orphan]
        wants_onset = ref.role in (Role.SINCE, Role.DURATION) or clause in onset_clauses
        # "I never clicked anything since Monday": the time bounds the denial, no onset.
        if wants_onset and not (own and all(t.polarity is Polarity.DENIED for t in own)):
            # A change is usually the cause the customer names, not the symptom dated.
            # a count of tries is no symptom to date
            asserted = sorted((t for t in targets if t.polarity is Polarity.ASSERTED and t.attempts is None),
                              key=lambda t: t.kind is Kind.CHANGE)
            phrase = raw[ref.start:ref.end] if ref.role is not Role.POINT else clause_text(clause)
            onsets.append(_Draft(ref.start, ref.end, clause, Kind.ONSET, Polarity.ASSERTED,
                                 phrase.strip(), ref.window, ref.precision,
                                 dates=asserted[0] if asserted else None))
        elif targets:
            for target in targets:
                if target.window is None:
                    target.window, target.precision = ref.window, ref.precision
                else:
                    target.extra.append(replace(target, window=ref.window,
                                                precision=ref.precision, extra=[]))
        else:
            onsets.append(_Draft(ref.start, ref.end, clause, Kind.ONSET, Polarity.ASSERTED,
                                 clause_text(clause), ref.window, ref.precision))
    everything = [*drafts, *(x for d in drafts for x in d.extra), *onsets]
    # Order of appearance; an onset follows the symptom it dates when both start together.
    everything.sort(key=lambda d: (d.start, d.kind is Kind.ONSET))
    for draft in everything:
        draft.start += start
        draft.end += start
    return everything


def _symptom_spans(folded: str, pats: _Patterns, refs: list[TimeRef]) -> list[tuple[int, int, Kind]]:
    """Symptom words, longest first, never inside a time phrase."""
    # Time words are blanked, not just avoided: a symptom said around one still reads whole
    # ("die Seite lädt seit gestern nicht": the verb and its "nicht" enclose the time).
    chars = list(folded)
    for s, e in (span for r in refs for span in r.pieces):
        chars[s:e] = " " * (e - s)
    blanked = "".join(chars)
    found = []
    for kind, regex in pats.symptoms.items():
        for m in regex.finditer(blanked):
            found.append((m.start(), m.end(), kind))
    taken: list[tuple[int, int]] = []
    chosen = []
    for s, e, kind in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
        if not _overlaps((s, e), taken):
            taken.append((s, e))
            chosen.append((s, e, kind))
    return sorted(chosen)


def _marked(folded: str, spans: list[tuple[int, int]], mark: str) -> str:
    """The folded sentence with the given spans overwritten by a mark, same length."""
    chars = list(folded)
    for s, e in spans:
        chars[s:e] = mark * (e - s)
    return "".join(chars)


def _clause_cuts(raw: str, pats: _Patterns, protected: list[tuple[int, int]]) -> list[int]:
    lowered = raw.lower()
    cuts = [m.start() for m in _CLAUSE_PUNCT.finditer(raw)]
    cuts += [m.start() for m in pats.breaks.finditer(lowered) if not _overlaps(m.span(), protected)]
    return sorted(c for c in set(cuts) if not any(s <= c < e for s, e in protected))


def _targets(drafts: list[_Draft], clause: int) -> list[_Draft]:
    """The symptoms a time phrase speaks of: its own clause's, else the nearest clause's."""
    by_clause: dict[int, list[_Draft]] = {}
    for draft in drafts:
        by_clause.setdefault(draft.clause, []).append(draft)
    if clause in by_clause:
        return by_clause[clause]
    for distance in range(1, 1 + max(by_clause, default=0) + clause):
        for candidate in (clause + distance, clause - distance):
            if candidate in by_clause:
                return by_clause[candidate]
    return []


def _deduplicated(drafts: list[_Draft]) -> list[_Draft]:
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


def _counted_logins(drafts: list[_Draft]) -> list[_Draft]:
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


def _date_orphan_onsets(drafts: list[_Draft]) -> None:
    """An onset said apart from its symptom ("It started Monday. It is slow.") dates it."""
    asserted = [d for d in drafts if d.kind is not Kind.ONSET and d.polarity is Polarity.ASSERTED
                and d.attempts is None]
    for draft in drafts:
        if draft.kind is Kind.ONSET and draft.dates is None and asserted:
            draft.dates = asserted[0]


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


def _tidy(clause: str, pats: _Patterns) -> str:
    """The clause as the customer wrote it, without the joining word or punctuation."""
    text = clause.strip(" \t,;:.!?-\u2013\u2014()")
    m = pats.breaks.match(text.lower())
    if m:
        text = text[m.end():].strip(" \t,;:")
    return text
