"""A customer's statement -> claims: symptoms, denials and time phrases (evidence.claims)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from evidence.claims.attempts import find_counts
from evidence.claims.clauses import clause_bounds, clause_cuts, marked, overlaps, sentences, tidy
from evidence.claims.lexicon import available_languages, detect_language, fold, load_lexicon
from evidence.claims.linking import Draft, counted_logins, date_orphan_onsets, deduplicated, targets
from evidence.claims.model import Claim, ClaimsInputError, ClaimsResult, Kind, LoginSense, Polarity, RestartSense
from evidence.claims.subject import OTHER_MARK, TIME_MARK, find_account, find_subject
from evidence.claims.symptoms import patterns, symptom_spans
from evidence.claims.anchor import Anchor
from evidence.claims.timephrases import Role, find_time_refs, spoken_spans

# Kinds whose checks can narrow the evidence to the program the customer names.
SUBJECT_KINDS = (Kind.CRASH, Kind.OUTAGE, Kind.SLOWNESS)


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
    drafts: list[Draft] = []
    for start, end in sentences(text):
        found = _read_sentence(text, start, end, code, anchor)
        if not found and text[start:end].strip():
            result.notes.append(f"not understood: {text[start:end].strip()}")
        drafts.extend(found)
    drafts = counted_logins(deduplicated(drafts))
    date_orphan_onsets(drafts)
    ids = {id(d): f"c{n}" for n, d in enumerate(drafts, start=id_start)}
    for draft in drafts:
        result.claims.append(Claim(
            id=ids[id(draft)], text=draft.text, kind=draft.kind, polarity=draft.polarity,
            window=draft.window, precision=draft.precision, lang=code,
            dates=ids.get(id(draft.dates)) if draft.dates else None, subject=draft.subject,
            attempts=draft.attempts, recurring=draft.recurring, sense=draft.sense,
            restart=draft.restart, remote=draft.remote,
        ))
    if not result.claims:
        result.notes = [f"not understood: {text.strip()}"]
    return result


def _read_sentence(text: str, start: int, end: int, code: str, anchor: Anchor) -> list[Draft]:
    raw = text[start:end]
    folded = fold(raw)
    pats = patterns(code)
    refs = find_time_refs(folded, code, anchor)
    symptoms = symptom_spans(folded, pats, refs)
    protected = [(r.start, r.end) for r in refs] + [(s, e) for s, e, _ in symptoms]
    spoken = [span for r in refs for span in r.pieces] + [(s, e) for s, e, _ in symptoms]
    cuts = clause_cuts(raw, pats.breaks, protected)

    def clause_of(pos: int) -> int:
        return sum(1 for cut in cuts if cut <= pos)

    def clause_text(index: int) -> str:
        bounds = clause_bounds(raw, cuts)
        return tidy(raw[bounds[index]:bounds[index + 1]], pats.breaks)

    # "can't log in", "n'arrête pas de planter": a negation that states the symptom denies nothing;
    # nor does one that says how it happened ("restarted without notice")
    excluded = spoken + [m.span() for rx in (pats.inability, pats.continuing, pats.non_denials)
                         for m in rx.finditer(folded)]
    denied_clauses = {clause_of(m.start()) for m in pats.denials.finditer(folded)
                      if not overlaps(m.span(), excluded)}
    counts = [c for c in find_counts(folded, code) if not overlaps((c.start, c.end), spoken)]
    # "je n'ai tapé mon mot de passe qu'une fois": "ne ... que" restricts, it does not deny
    denied_clauses -= {clause_of(c.start) for c in counts if c.only}
    onset_clauses = {clause_of(m.start()) for m in pats.onset.finditer(folded)
                     if not overlaps(m.span(), spoken)}

    def subject_of(s: int, e: int, kind: Kind, clause: int) -> str | None:
        if kind not in SUBJECT_KINDS and kind is not Kind.LOGIN:
            return None
        bounds = clause_bounds(raw, cuts)
        others = [(a, b) for a, b, _ in symptoms if (a, b) != (s, e)]
        masked = marked(marked(folded, spoken_spans(folded, refs, code), TIME_MARK), others, OTHER_MARK)
        if kind is Kind.LOGIN:
            # a login is about an account, not a program: "unser Deploy-Benutzer", "user deploy"
            return find_account(masked, (bounds[clause], bounds[clause + 1]), code)
        unable = pats.inability.match(folded, s)
        # "nobody in the office can reach X": the words inside the inability are its subject, not X's
        inner = (unable.end(), e) if unable is not None and unable.end() < e else (s, e)
        return find_subject(masked, inner, (bounds[clause], bounds[clause + 1]), code, unable is not None)

    def login_sense(s: int, e: int, clause: int) -> LoginSense:
        """Someone got in ("nadie entró") unless the clause says they could not ("no puedo entrar")."""
        bounds = clause_bounds(raw, cuts)
        unable = pats.inability.search(folded, bounds[clause], bounds[clause + 1])
        # the symptom was matched with time words blanked ("hat sich heute Nacht ... angemeldet")
        if unable is None and pats.access.search(marked(folded, [p for r in refs for p in r.pieces], " ")[s:e]):
            return LoginSense.ACCESS
        return LoginSense.FAILURE

    def remote_of(clause: int) -> bool:
        """"entró de forma remota", "logged in remotely": the login came over the network."""
        bounds = clause_bounds(raw, cuts)
        return pats.remote.search(folded, bounds[clause], bounds[clause + 1]) is not None

    def restart_of(clause: int) -> RestartSense | None:
        """"rebooted by itself": only restarts nobody asked for count; otherwise any restart does."""
        bounds = clause_bounds(raw, cuts)
        return RestartSense.UNPLANNED if pats.unplanned.search(folded, bounds[clause], bounds[clause + 1]) else None

    drafts: list[Draft] = []
    for s, e, kind in symptoms:
        clause = clause_of(s)
        polarity = Polarity.DENIED if clause in denied_clauses else Polarity.ASSERTED
        if any(d.clause == clause and d.kind == kind and d.polarity == polarity for d in drafts):
            continue
        drafts.append(Draft(s, e, clause, kind, polarity, clause_text(clause),
                             subject=subject_of(s, e, kind, clause),
                             sense=login_sense(s, e, clause) if kind is Kind.LOGIN else None,
                             restart=restart_of(clause) if kind is Kind.REBOOT else None,
                             remote=kind is Kind.LOGIN and remote_of(clause)))

    bounds = clause_bounds(raw, cuts)
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
            drafts.append(Draft(count.start, count.end, clause, Kind.LOGIN, Polarity.ASSERTED,
                                 clause_text(clause), attempts=count.value, orphan=True))

    onsets: list[Draft] = []
    for ref in refs:
        clause = clause_of(ref.start)
        spoken_of = targets(drafts, clause)
        own = [d for d in drafts if d.clause == clause and not d.orphan]
        wants_onset = ref.role in (Role.SINCE, Role.DURATION) or clause in onset_clauses
        # "I never clicked anything since Monday": the time bounds the denial, no onset.
        if wants_onset and not (own and all(t.polarity is Polarity.DENIED for t in own)):
            # A change is usually the cause the customer names, not the symptom dated.
            # a count of tries is no symptom to date
            asserted = sorted((t for t in spoken_of if t.polarity is Polarity.ASSERTED and t.attempts is None),
                              key=lambda t: t.kind is Kind.CHANGE)
            phrase = raw[ref.start:ref.end] if ref.role is not Role.POINT else clause_text(clause)
            onsets.append(Draft(ref.start, ref.end, clause, Kind.ONSET, Polarity.ASSERTED,
                                 phrase.strip(), ref.window, ref.precision,
                                 dates=asserted[0] if asserted else None, recurring=ref.recurring))
        elif spoken_of:
            for target in spoken_of:
                if target.window is None:
                    target.window, target.precision = ref.window, ref.precision
                    target.recurring = ref.recurring
                else:
                    target.extra.append(replace(target, window=ref.window, precision=ref.precision,
                                                recurring=ref.recurring, extra=[]))
        else:
            onsets.append(Draft(ref.start, ref.end, clause, Kind.ONSET, Polarity.ASSERTED,
                                 clause_text(clause), ref.window, ref.precision,
                                 recurring=ref.recurring))
    everything = [*drafts, *(x for d in drafts for x in d.extra), *onsets]
    # Order of appearance; an onset follows the symptom it dates when both start together.
    everything.sort(key=lambda d: (d.start, d.kind is Kind.ONSET))
    for draft in everything:
        draft.start += start
        draft.end += start
    return everything
