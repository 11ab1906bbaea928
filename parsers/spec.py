"""Format specs: TOML files in parsers/formats/ loaded into FormatSpec, checked as they load."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from parsers.schema import CATEGORIES, COLUMNS, OUTCOMES, SEVERITIES

ENGINES = ("lines", "jsonl", "code")
ZONE_RULES = ("local", "utc", "offset", "epoch")
EPOCH_UNITS = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": 0.001}
# Columns a pattern group or rule may fill directly; every other group goes to `extra`.
FIELD_COLUMNS = frozenset(COLUMNS) - {
    "event_id", "timestamp", "timestamp_quality", "source_format", "source_file",
    "source_line", "source_record", "raw", "extra",
}
RULE_SETTABLE = frozenset({"category", "action", "outcome", "severity", "event_code",
                           "metric_name", "process", "user", "src_ip", "url", "host"})


class SpecError(ValueError):
    """A spec that cannot be used, with where it went wrong and what to do."""

    def __init__(self, where: str, what: str, help: str = "") -> None:
        self.where, self.what, self.help = where, what, help
        text = f"{where}: {what}"
        super().__init__(f"{text} ({help})" if help else text)


@dataclass(frozen=True)
class Pattern:
    name: str
    regex: re.Pattern[str]
    source: str


@dataclass(frozen=True)
class Rule:
    """When every condition regex matches its column, set fields; message groups fill columns."""

    name: str
    when: dict[str, re.Pattern[str]]
    when_source: dict[str, str]
    set: dict[str, str]
    origin: str


@dataclass(frozen=True)
class Sample:
    line: str
    expect: dict[str, Any]
    origin: str


@dataclass(frozen=True)
class RuleSample:
    """A rule-set sample: column values before the rules, and what they must give."""

    fields: dict[str, str]
    expect: dict[str, Any]
    origin: str


@dataclass(frozen=True)
class MetricSpec:
    """A pattern group holding a number: where it is present, metric_name = name and
    metric_value = the number times scale (e.g. microseconds to milliseconds)."""

    group: str
    name: str
    scale: float = 1.0


@dataclass(frozen=True)
class TimestampSpec:
    group: str = "timestamp"
    formats: tuple[str, ...] = ()
    zone: str = "local"
    year: str = "present"
    epoch_unit: str = "s"


@dataclass
class FormatSpec:
    name: str
    title: str
    engine: str
    category: str
    path: str
    description: str = ""
    filenames: tuple[str, ...] = ()
    min_share: float = 0.6
    timestamp: TimestampSpec = field(default_factory=TimestampSpec)
    patterns: tuple[Pattern, ...] = ()
    json_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    severity_map: dict[str, str] = field(default_factory=dict)
    rule_sets: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    samples: tuple[Sample, ...] = ()
    rule_samples: tuple[RuleSample, ...] = ()
    defaults: dict[str, str] = field(default_factory=dict)
    metrics: tuple[MetricSpec, ...] = ()
    # a group whose value is hex-encoded text -> the column or extra field it decodes into
    hex_fields: dict[str, str] = field(default_factory=dict)
    # rules read the message inside rsyslog's "message repeated N times: [ ... ]"
    unwrap_repeats: bool = False


_SPEC_KEYS = {"format", "detect", "timestamp", "pattern", "json", "severity_map", "rule",
              "sample", "defaults", "metric", "hex"}
_FORMAT_KEYS = {"name", "title", "engine", "category", "description", "rule_sets", "unwrap_repeats"}
_DETECT_KEYS = {"filenames", "min_share"}
_TS_KEYS = {"group", "formats", "zone", "year", "epoch_unit"}
_PATTERN_KEYS = {"name", "regex"}
_RULE_KEYS = {"name", "when", "set"}
_SAMPLE_KEYS = {"line", "expect", "fields"}
_RULESET_KEYS = {"rule", "sample"}
_METRIC_KEYS = {"group", "name", "scale"}


def _check_keys(where: str, table: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise SpecError(where, f"unknown key(s) {unknown}", f"allowed: {sorted(allowed)}")


# What the ASCII spellings stand for, outside and inside a character class.
_ASCII_CLASSES = {
    "d": ("[0-9]", "0-9"),
    "s": (r"[\t\n\x0B\x0C\r\x20]", r"\t\n\x0B\x0C\r\x20"),
    "S": (r"[^\t\n\x0B\x0C\r\x20]", None),
    "D": ("[^0-9]", None),
}


def ascii_classes(source: str) -> str:
    """The pattern with `\\d`, `\\s` (and `\\D`, `\\S` outside classes) spelled as their ASCII
    sets. Log separators and numbers are ASCII; the Unicode versions of these classes make
    the capture engine of Rust's regex (what polars runs) two to three times slower, and
    Python's re agrees with Rust on the ASCII spelling. Letters (`\\w`) stay Unicode: names
    in messages can be any script."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source):
            escaped = source[i + 1]
            spelled = _ASCII_CLASSES.get(escaped)
            replacement = spelled and spelled[1 if in_class else 0]
            out.append(replacement or source[i:i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            # a ']' or '^]' right after the opening bracket is a literal
            if source[i + 1:i + 3] == "^]":
                out.append("^]")
                i += 2
            elif source[i + 1:i + 2] == "]":
                out.append("]")
                i += 1
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _compile(where: str, source: str) -> re.Pattern[str]:
    try:
        return re.compile(source, re.VERBOSE)
    except re.error as err:
        raise SpecError(where, f"regex does not compile: {err}") from None


def _rules_from(where: str, items: list[dict[str, Any]]) -> list[Rule]:
    rules = []
    for index, item in enumerate(items):
        here = f"{where} rule #{index + 1}"
        _check_keys(here, item, _RULE_KEYS)
        name = item.get("name") or f"rule{index + 1}"
        when = item.get("when", {})
        if not when:
            raise SpecError(here, "a rule needs at least one condition in `when`")
        for column in when:
            if column not in COLUMNS:
                raise SpecError(here, f"condition on unknown column {column!r}")
        settings = item.get("set", {})
        for column, value in settings.items():
            if column not in RULE_SETTABLE:
                raise SpecError(here, f"cannot set {column!r}", f"settable: {sorted(RULE_SETTABLE)}")
        _check_vocab(here, settings)
        when = {c: ascii_classes(s) for c, s in when.items()}
        rules.append(Rule(name, {c: _compile(f"{here} when.{c}", s) for c, s in when.items()},
                          when, dict(settings), here))
    return rules


def _check_vocab(where: str, values: dict[str, Any]) -> None:
    if "category" in values and values["category"] not in CATEGORIES:
        raise SpecError(where, f"category {values['category']!r} is not one of {sorted(CATEGORIES)}")
    if "outcome" in values and values["outcome"] not in OUTCOMES:
        raise SpecError(where, f"outcome {values['outcome']!r} is not one of {sorted(OUTCOMES)}")
    if "severity" in values and values["severity"] not in SEVERITIES:
        raise SpecError(where, f"severity {values['severity']!r} is not one of {SEVERITIES}")


def load_rule_set(path: Path) -> tuple[list[Rule], list[RuleSample]]:
    """The rules and samples of one rule-set file. Several formats share a rule set (the
    `linux` one serves five): the file is read and its regexes compiled once while it is
    unchanged."""
    stat = path.stat()
    rules, samples = _load_rule_set(str(path), stat.st_mtime_ns, stat.st_size)
    return list(rules), list(samples)


@lru_cache(maxsize=256)
def _load_rule_set(where: str, mtime_ns: int, size: int) -> tuple[tuple[Rule, ...], tuple[RuleSample, ...]]:
    with open(where, "rb") as handle:
        data = tomllib.load(handle)
    _check_keys(where, data, _RULESET_KEYS)
    rules = _rules_from(where, data.get("rule", []))
    samples = []
    for index, item in enumerate(data.get("sample", [])):
        here = f"{where} sample #{index + 1}"
        _check_keys(here, item, {"fields", "expect"})
        samples.append(RuleSample(dict(item.get("fields", {})), dict(item.get("expect", {})), here))
    return tuple(rules), tuple(samples)


def load_spec(path: Path, rules_dir: Path | None = None) -> FormatSpec:
    """Read and structurally check one spec; sample checks live in parsers.selfcheck."""
    where = str(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as err:
        raise SpecError(where, f"not valid TOML: {err}") from None
    _check_keys(where, data, _SPEC_KEYS)
    fmt = data.get("format", {})
    _check_keys(f"{where} [format]", fmt, _FORMAT_KEYS)
    name = fmt.get("name") or path.stem
    if name != path.stem:
        raise SpecError(where, f"format name {name!r} differs from the file name", "name the file <name>.toml")
    engine = fmt.get("engine", "lines")
    if engine not in ENGINES:
        raise SpecError(where, f"engine {engine!r} is not one of {ENGINES}")
    category = fmt.get("category", "other")
    _check_vocab(where, {"category": category})
    detect = data.get("detect", {})
    _check_keys(f"{where} [detect]", detect, _DETECT_KEYS)
    ts = data.get("timestamp", {})
    _check_keys(f"{where} [timestamp]", ts, _TS_KEYS)
    tspec = TimestampSpec(
        group=ts.get("group", "timestamp"), formats=tuple(ts.get("formats", ())),
        zone=ts.get("zone", "local"), year=ts.get("year", "present"),
        epoch_unit=ts.get("epoch_unit", "s"),
    )
    if tspec.zone not in ZONE_RULES:
        raise SpecError(f"{where} [timestamp]", f"zone {tspec.zone!r} is not one of {ZONE_RULES}")
    if tspec.year not in ("present", "infer"):
        raise SpecError(f"{where} [timestamp]", "year must be 'present' or 'infer'")
    if tspec.zone == "epoch" and tspec.epoch_unit not in EPOCH_UNITS:
        raise SpecError(f"{where} [timestamp]", f"epoch_unit must be one of {sorted(EPOCH_UNITS)}")
    if engine != "code" and tspec.zone != "epoch" and not tspec.formats:
        raise SpecError(f"{where} [timestamp]", "no timestamp formats", "add formats = ['%Y-%m-%d ...']")

    patterns = []
    for index, item in enumerate(data.get("pattern", [])):
        here = f"{where} pattern #{index + 1}"
        _check_keys(here, item, _PATTERN_KEYS)
        source = ascii_classes(item.get("regex", ""))
        regex = _compile(here, source)
        if engine == "lines" and tspec.group not in regex.groupindex:
            raise SpecError(here, f"no named group {tspec.group!r} for the timestamp")
        patterns.append(Pattern(item.get("name") or f"pattern{index + 1}", regex, source))
    if engine == "lines" and not patterns:
        raise SpecError(where, "a lines format needs at least one [[pattern]]")

    # a JSON field is one key or a list of keys, the first present one wins
    json_fields = {column: (keys,) if isinstance(keys, str) else tuple(keys)
                   for column, keys in data.get("json", {}).items()}
    if engine == "jsonl":
        if "timestamp" not in json_fields:
            raise SpecError(f"{where} [json]", "no field for the timestamp")
        for column in json_fields:
            if column not in FIELD_COLUMNS | {"timestamp"} and not column.startswith("extra."):
                raise SpecError(f"{where} [json]", f"{column!r} is not a schema column", "use extra.<name> for others")

    severity_map = {str(k): v for k, v in data.get("severity_map", {}).items()}
    for key, value in severity_map.items():
        if value not in SEVERITIES:
            raise SpecError(f"{where} [severity_map]", f"{key} -> {value!r} is not a severity")
    defaults = dict(data.get("defaults", {}))
    for column in defaults:
        if column not in RULE_SETTABLE:
            raise SpecError(f"{where} [defaults]", f"cannot default {column!r}")
    _check_vocab(f"{where} [defaults]", defaults)

    metrics = []
    groups = {g for p in patterns for g in p.regex.groupindex}
    for index, item in enumerate(data.get("metric", [])):
        here = f"{where} metric #{index + 1}"
        _check_keys(here, item, _METRIC_KEYS)
        if item.get("group") not in groups or not item.get("name"):
            raise SpecError(here, "a metric needs a `name` and a `group` of some pattern")
        metrics.append(MetricSpec(item["group"], item["name"], float(item.get("scale", 1.0))))

    hex_fields = {str(k): v for k, v in data.get("hex", {}).items()}
    for group, target in hex_fields.items():
        here = f"{where} [hex]"
        if group not in groups:
            raise SpecError(here, f"{group!r} is not a named group of any pattern")
        if not isinstance(target, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", target):
            raise SpecError(here, f"{group} -> {target!r} is not a field name")
        if target == group:
            raise SpecError(here, f"{group} -> {target!r}: decode into another name than the group's")
        if target in COLUMNS and (target not in FIELD_COLUMNS or target in ("pid", "metric_value")):
            raise SpecError(here, f"{group} -> {target!r}: only a text column or an extra field can be decoded into")

    unwrap_repeats = fmt.get("unwrap_repeats", False)
    if not isinstance(unwrap_repeats, bool):
        raise SpecError(f"{where} [format]", f"unwrap_repeats = {unwrap_repeats!r}", "true or false")

    rule_sets = tuple(fmt.get("rule_sets", ()))
    rules = _rules_from(where, data.get("rule", []))
    rule_samples: list[RuleSample] = []
    for set_name in rule_sets:
        folder = (rules_dir or path.parent / "rules") / set_name
        if not folder.is_dir():
            raise SpecError(where, f"rule set {set_name!r} not found", f"expected folder {folder}")
        for rule_file in sorted(folder.glob("*.toml")):
            more_rules, more_samples = load_rule_set(rule_file)
            rules.extend(more_rules)
            rule_samples.extend(more_samples)

    samples = []
    for index, item in enumerate(data.get("sample", [])):
        here = f"{where} sample #{index + 1}"
        _check_keys(here, item, _SAMPLE_KEYS)
        if "line" not in item:
            raise SpecError(here, "a sample needs a `line`")
        samples.append(Sample(item["line"], dict(item.get("expect", {})), here))

    return FormatSpec(
        name=name, title=fmt.get("title", name), engine=engine, category=category,
        path=where, description=fmt.get("description", ""),
        filenames=tuple(detect.get("filenames", ())), min_share=float(detect.get("min_share", 0.6)),
        timestamp=tspec, patterns=tuple(patterns), json_fields=json_fields,
        severity_map=severity_map, rule_sets=rule_sets, rules=tuple(rules),
        samples=tuple(samples), rule_samples=tuple(rule_samples), defaults=defaults,
        metrics=tuple(metrics), hex_fields=hex_fields, unwrap_repeats=unwrap_repeats,
    )


def formats_dir() -> Path:
    return Path(str(resources.files("parsers") / "formats"))


def load_all_specs(folder: Path | None = None) -> dict[str, FormatSpec]:
    """Every spec in the formats folder, by name, in name order."""
    folder = folder or formats_dir()
    return {p.stem: load_spec(p) for p in sorted(folder.glob("*.toml"))}
