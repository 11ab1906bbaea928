"""Rendered Windows event messages -> EventData-like fields, by the localized labels in winevent_labels.toml (for evtx_csv)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from parsers.spec import SpecError

WHERE = "parsers/code/winevent_labels.toml"
LANGUAGES = ("en", "fr", "de", "it", "es")
_FIELD_KEYS = {"occurrence", "cut", *LANGUAGES}
_VIEWER_COLUMNS = ("level", "keywords", "time", "provider", "event_code", "task")
# the 64-bit Keywords mask of a Security audit event, as an EVTX record carries it
AUDIT_KEYWORDS = {"success": "0x8020000000000000", "failure": "0x8010000000000000"}
_POSITIONAL = re.compile(r"^Data\.\d+$")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})


def normalized(label: str) -> str:
    """One spelling per label: case, apostrophes, runs of spaces and the trailing colon ignored."""
    return " ".join(label.translate(_APOSTROPHES).casefold().split()).rstrip(": ").rstrip()


@dataclass(frozen=True)
class FieldRule:
    name: str  # the EventData name the tables read
    last: bool = False
    cut: str | None = None


@dataclass(frozen=True)
class Labels:
    line: re.Pattern[str]  # "label[:] value" at the start of one message line
    rules: dict[str, tuple[FieldRule, ...]]  # normalized label -> fields it fills
    sentences: dict[int, tuple[re.Pattern[str], ...]]
    columns: dict[str, str]  # normalized Event Viewer column name -> its English name
    levels: dict[str, int]  # normalized level name -> Windows level number
    audit: dict[str, str]  # normalized audit level name -> Keywords mask


def _label_regex(label: str) -> str:
    core = label.strip().removesuffix(":").rstrip()
    words = [re.escape(word).replace("'", "['\u2019\u02bc`]") for word in core.translate(_APOSTROPHES).split()]
    body = r"\s+".join(words)
    # written with its colon: the colon is required; without: it may be there or not
    return body + (r"\s*:" if label.strip().endswith(":") else r"(?:\s*:|(?=\s))")


def _strings(where: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SpecError(where, f"expected a list of non-empty strings, got {value!r}")
    return value


def _fields(data: dict[str, Any]) -> tuple[re.Pattern[str], dict[str, tuple[FieldRule, ...]]]:
    rules: dict[str, list[FieldRule]] = {}
    patterns: dict[str, str] = {}
    for name, item in data.items():
        where = f"{WHERE} [field.{name}]"
        if not isinstance(item, dict) or set(item) - _FIELD_KEYS:
            raise SpecError(where, f"unknown key(s) {sorted(set(item) - _FIELD_KEYS)}", f"allowed: {sorted(_FIELD_KEYS)}")
        if item.get("occurrence", "first") not in ("first", "last"):
            raise SpecError(where, f"occurrence {item['occurrence']!r} is not 'first' or 'last'")
        if not set(item) & set(LANGUAGES):
            raise SpecError(where, "no labels", f"give labels for some of {LANGUAGES}")
        rule = FieldRule(name, item.get("occurrence") == "last", item.get("cut"))
        for language in LANGUAGES:
            for label in _strings(f"{where} {language}", item.get(language, [])):
                key = normalized(label)
                rules.setdefault(key, [])
                if rule not in rules[key]:
                    rules[key].append(rule)
                # a label written with its colon also matches lines that have it: keep the looser form
                if key not in patterns or not label.strip().endswith(":"):
                    patterns[key] = _label_regex(label)
    # longest first, so that a label is never cut short by another that begins it
    alternatives = [patterns[key] for key in sorted(patterns, key=len, reverse=True)]
    line = re.compile(r"^\s*(?P<label>" + "|".join(alternatives) + r")\s*(?P<value>.*?)\s*$", re.IGNORECASE)
    return line, {key: tuple(found) for key, found in rules.items()}


def _sentences(items: list[dict[str, Any]]) -> dict[int, tuple[re.Pattern[str], ...]]:
    sentences: dict[int, list[re.Pattern[str]]] = {}
    for index, item in enumerate(items):
        where = f"{WHERE} [[sentence]] #{index + 1}"
        if set(item) != {"ids", "patterns"}:
            raise SpecError(where, "a sentence has exactly ids and patterns")
        compiled = []
        for source in _strings(f"{where} patterns", item["patterns"]):
            try:
                pattern = re.compile(source.strip(), re.DOTALL)
            except re.error as err:
                raise SpecError(where, f"pattern does not compile: {err}") from None
            if not pattern.groupindex:
                raise SpecError(where, f"pattern {source!r} names no EventData field")
            compiled.append(pattern)
        for event_id in item["ids"]:
            sentences.setdefault(int(event_id), []).extend(compiled)
    return {key: tuple(value) for key, value in sentences.items()}


def _viewer(data: dict[str, Any]) -> tuple[dict[str, str], dict[str, int], dict[str, str]]:
    where = f"{WHERE} [viewer]"
    columns: dict[str, str] = {}
    for column in _VIEWER_COLUMNS:
        names = _strings(f"{where} {column}", data.get(column))
        columns.update({normalized(name): names[0] for name in names})
    levels = {normalized(name): int(number)
              for number, names in data.get("levels", {}).items()
              for name in _strings(f"{where}.levels {number}", names)}
    audit = data.get("audit", {})
    if set(audit) != set(AUDIT_KEYWORDS):
        raise SpecError(f"{where}.audit", f"needs exactly {sorted(AUDIT_KEYWORDS)}")
    masks = {normalized(name): AUDIT_KEYWORDS[kind]
             for kind, names in audit.items() for name in _strings(f"{where}.audit {kind}", names)}
    return columns, levels, masks


def load_labels_text(text: str) -> Labels:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SpecError(WHERE, f"not valid TOML: {err}") from None
    if set(data) - {"field", "sentence", "viewer"}:
        raise SpecError(WHERE, f"unknown section(s) {sorted(set(data) - {'field', 'sentence', 'viewer'})}")
    line, rules = _fields(data.get("field", {}))
    return Labels(line, rules, _sentences(data.get("sentence", [])), *_viewer(data.get("viewer", {})))


@lru_cache(maxsize=1)
def load_labels() -> Labels:
    return load_labels_text((resources.files("parsers.code") / "winevent_labels.toml").read_text(encoding="utf-8"))


def as_event_data(fields: dict[str, str]) -> dict:
    """Fields in the shape the readers hand over: "Data.N" ones as the unnamed <Data> list."""
    named = {k: v for k, v in fields.items() if not _POSITIONAL.match(k)}
    positions = {int(k[5:]): v for k, v in fields.items() if _POSITIONAL.match(k)}
    if positions:
        named["Data"] = {"#text": [positions.get(i) for i in range(max(positions) + 1)]}
    return named


def message_fields(text: str | None, event_code: str | None) -> dict[str, str]:
    """EventData-like fields read from a rendered message (labelled lines, then whole sentences)."""
    if not text:
        return {}
    labels = load_labels()
    fields: dict[str, str] = {}
    for line in text.splitlines():
        match = labels.line.match(line)
        if not match or not match["value"]:
            continue
        for rule in labels.rules[normalized(match["label"])]:
            value = match["value"].split(rule.cut, 1)[0].strip() if rule.cut else match["value"]
            if value and (rule.last or rule.name not in fields):
                fields[rule.name] = value
    code = event_code.strip() if event_code else ""
    for pattern in labels.sentences.get(int(code), ()) if code.isdigit() else ():
        if match := pattern.fullmatch(text.strip()):
            for name, value in match.groupdict().items():
                if value:
                    fields.setdefault(name, value.strip())
            break
    return fields
