"""A claims file (TOML or JSON) -> claims, free text read like the command line (evidence.claims)."""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from pathlib import Path

from evidence.claims.model import (
    Claim,
    ClaimsInputError,
    ClaimsResult,
    Kind,
    LoginSense,
    Polarity,
    Precision,
    RestartSense,
    Window,
)
from evidence.claims.reader import parse_zone, read_claims


def load_claims_file(path: str | Path, reported_at: datetime, tz: str, lang: str | None = None,
                     id_start: int = 1) -> ClaimsResult:
    """Entries are strings (read as statements) or tables {kind, polarity, start, end, text,
    subject, attempts, sense, remote}; a login's sense ("access" or "failure") and whether it
    came over the network (remote) are read from its text when not given.

    Accepted shapes: a JSON list, or {"claims": [...]} in JSON or TOML, or TOML [[claim]]
    tables.
    """
    path = Path(path)
    entries = _entries(path)
    zone = parse_zone(tz)
    result = ClaimsResult()
    next_id = id_start
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name}: entry {number}"
        if isinstance(entry, str):
            read = read_claims(entry, reported_at, tz, lang, id_start=next_id)
        elif isinstance(entry, dict) and "kind" not in entry and "text" in entry:
            read = read_claims(entry["text"], reported_at, tz, entry.get("lang", lang),
                               id_start=next_id)
        elif isinstance(entry, dict):
            read = ClaimsResult(claims=[_structured(entry, zone, f"c{next_id}", where, reported_at, lang)])
        else:
            raise ClaimsInputError(f"{where}: expected a string or a table, got {entry!r}")
        result.extend(read)
        next_id += len(read.claims)
    return result


def _entries(path: Path) -> list:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ClaimsInputError(f"cannot read claims file {path}: {err.strerror}") from None
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(raw.decode("utf-8"))
        else:
            data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise ClaimsInputError(f"{path.name}: not valid {path.suffix.lstrip('.') or 'JSON'}: "
                               f"{str(err).splitlines()[0]}") from None
    if isinstance(data, dict):
        data = data.get("claims", data.get("claim"))
    if not isinstance(data, list):
        raise ClaimsInputError(f"{path.name}: expected a list of claims (or a 'claims' key)")
    return data


def _structured(entry: dict, zone, claim_id: str, where: str, reported_at: datetime, lang: str | None) -> Claim:
    try:
        kind = Kind(entry["kind"])
        polarity = Polarity(entry.get("polarity", "asserted"))
    except ValueError as err:
        raise ClaimsInputError(f"{where}: {err}") from None
    start, end = entry.get("start"), entry.get("end")
    window = None
    if start is not None or end is not None:
        if start is None or end is None:
            raise ClaimsInputError(f"{where}: give both start and end, or neither")
        window = Window(_instant(start, zone, where), _instant(end, zone, where))
        if window.end < window.start:
            raise ClaimsInputError(f"{where}: end is before start")
    precision = entry.get("precision", "minute" if window else "vague")
    try:
        precision = Precision(precision)
    except ValueError as err:
        raise ClaimsInputError(f"{where}: {err}") from None
    text = entry.get("text") or f"{kind} ({polarity})"
    subject = entry.get("subject")
    if subject is not None and not isinstance(subject, str):
        raise ClaimsInputError(f"{where}: subject must be a string, e.g. \"outlook\"")
    subject = " ".join((subject or "").lower().split()) or None
    attempts = entry.get("attempts")
    if attempts is not None and (isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1):
        raise ClaimsInputError(f"{where}: attempts must be a whole number of tries, e.g. 1")
    sense = entry.get("sense")
    try:
        sense = LoginSense(sense) if sense is not None else _sense_of(entry, kind, reported_at, zone, lang)
    except ValueError:
        raise ClaimsInputError(f"{where}: sense must be one of {', '.join(LoginSense)}") from None
    try:
        restart = RestartSense(entry["restart"]) if entry.get("restart") is not None else None
    except ValueError:
        raise ClaimsInputError(f"{where}: restart must be one of {', '.join(RestartSense)}") from None
    remote = entry.get("remote")
    if remote is not None and not isinstance(remote, bool):
        raise ClaimsInputError(f"{where}: remote must be true or false")
    if remote is None:
        login = _login_of(entry, kind, reported_at, zone, lang)
        remote = login is not None and login.remote
    return Claim(id=claim_id, text=text, kind=kind, polarity=polarity, window=window,
                 precision=precision, lang=entry.get("lang", ""), dates=entry.get("dates"),
                 subject=subject, attempts=attempts, sense=sense, restart=restart, remote=remote)


def _sense_of(entry: dict, kind: Kind, reported_at: datetime, zone, lang: str | None) -> LoginSense | None:
    """A login entry that gives no sense takes the one its text says ("Nadie entró ...")."""
    login = _login_of(entry, kind, reported_at, zone, lang, sensed=True)
    return login.sense if login is not None else None


def _login_of(entry: dict, kind: Kind, reported_at: datetime, zone, lang: str | None,
              sensed: bool = False) -> Claim | None:
    """The login claim a login entry's text reads as (the first with a sense when `sensed`)."""
    text = entry.get("text")
    if kind is not Kind.LOGIN or not isinstance(text, str) or not text.strip():
        return None
    read = read_claims(text, reported_at, zone.key, entry.get("lang", lang))
    return next((c for c in read.claims if c.kind is Kind.LOGIN and (c.sense is not None or not sensed)), None)


def _instant(value, zone, where: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise ClaimsInputError(f"{where}: cannot read time {value!r} (ISO 8601)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(zone)
