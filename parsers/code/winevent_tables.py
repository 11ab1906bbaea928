"""Windows EventID tables (TOML data in parsers/code/windows_events/) loaded and checked for winevent_map."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from parsers.schema import CATEGORIES, OUTCOMES, SEVERITIES
from parsers.spec import SpecError

# Columns an entry may fill from EventData; the value names EventData fields, "Data.N" for the
# N-th unnamed <Data>, or {from = [...], regex = '...'} to keep the first group of a regex.
FIELD_COLUMNS = ("user", "src_ip", "process", "pid", "url")
_TABLE_KEYS = {"channels", "providers", "category", "description"}
_EVENT_KEYS = {"ids", "provider", "levels", "when", "category", "action", "outcome", "severity",
               "fields", "message", "tags", "metric", "note", *FIELD_COLUMNS}
_METRIC_KEYS = {"name", "field", "kind", "scale"}
_TEMPLATE_NAMES = {"event_code", "provider", "computer", "channel", "action", *FIELD_COLUMNS,
                   "metric_value"}
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class FieldSpec:
    """Where a value comes from: candidate EventData names (first non-empty wins), optional regex."""

    names: tuple[str, ...]
    regex: str | None = None


@dataclass(frozen=True)
class EventEntry:
    ids: tuple[int, ...] | None  # None = any EventID of the channel (with provider/levels filters)
    origin: str
    provider: str | None = None
    levels: tuple[int, ...] = ()
    when: tuple[tuple[str, str], ...] = ()
    category: str | None = None
    action: str = "log_line"
    outcome: str | None = None
    severity: str | None = None
    columns: tuple[tuple[str, FieldSpec], ...] = ()
    fields: tuple[tuple[str, FieldSpec], ...] = ()
    message: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    metric_name: str | None = None
    metric_field: FieldSpec | None = None
    metric_kind: str | None = None
    metric_scale: float = 1.0


@dataclass
class ChannelTable:
    name: str
    channels: tuple[str, ...]
    providers: tuple[str, ...] = ()
    category: str = "other"
    entries: list[EventEntry] = field(default_factory=list)


@dataclass
class Tables:
    """Every table, indexed by lower-case channel; candidates() lists entries in match order."""

    tables: list[ChannelTable]
    by_channel: dict[str, ChannelTable]
    by_provider: dict[str, str]

    def table_for(self, channel_key: str) -> ChannelTable | None:
        return self.by_channel.get(channel_key)

    def candidates(self, channel_key: str, code: str | None) -> list[EventEntry]:
        table = self.by_channel.get(channel_key)
        if table is None:
            return []
        try:
            number = int(code) if code is not None else None
        except ValueError:
            number = None
        specific = [e for e in table.entries if e.ids is not None and number in e.ids]
        wildcard = [e for e in table.entries if e.ids is None]
        return specific + wildcard

    def channel_of_provider(self, provider: str) -> str | None:
        """Channel for a provider name when the input does not say (Event Viewer CSV)."""
        return self.by_provider.get(provider.lower())


def _field_spec(where: str, value: Any) -> FieldSpec:
    if isinstance(value, str):
        return FieldSpec((value,))
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return FieldSpec(tuple(value))
    if isinstance(value, dict) and set(value) <= {"from", "regex"} and "from" in value:
        names = value["from"]
        names = (names,) if isinstance(names, str) else tuple(names)
        regex = value.get("regex")
        if regex is not None:
            try:
                if re.compile(regex).groups < 1:
                    raise SpecError(where, f"regex {regex!r} needs one capture group")
            except re.error as err:
                raise SpecError(where, f"regex does not compile: {err}") from None
        return FieldSpec(names, regex)
    raise SpecError(where, f"bad field source {value!r}", "a name, a list of names or {from, regex}")


def _check_template(where: str, template: str, names: set[str]) -> None:
    for name in re.findall(r"\{([^{}]*)\}", template):
        if name not in names:
            raise SpecError(where, f"message placeholder {{{name}}} is unknown", f"known: {sorted(names)}")


def _entry(where: str, item: dict[str, Any]) -> EventEntry:
    unknown = sorted(set(item) - _EVENT_KEYS)
    if unknown:
        raise SpecError(where, f"unknown key(s) {unknown}", f"allowed: {sorted(_EVENT_KEYS)}")
    ids = item.get("ids")
    if ids is not None:
        ids = (ids,) if isinstance(ids, int) else tuple(int(i) for i in ids)
    elif "provider" not in item:
        raise SpecError(where, "an entry without ids needs a provider")
    if item.get("category") is not None and item["category"] not in CATEGORIES:
        raise SpecError(where, f"category {item['category']!r} is not one of {sorted(CATEGORIES)}")
    if item.get("outcome") is not None and item["outcome"] not in OUTCOMES:
        raise SpecError(where, f"outcome {item['outcome']!r} is not one of {sorted(OUTCOMES)}")
    if item.get("severity") is not None and item["severity"] not in SEVERITIES:
        raise SpecError(where, f"severity {item['severity']!r} is not one of {SEVERITIES}")
    action = item.get("action", "log_line")
    if not _SNAKE.match(action):
        raise SpecError(where, f"action {action!r} is not a snake_case verb")
    columns = tuple((c, _field_spec(f"{where} {c}", item[c])) for c in FIELD_COLUMNS if c in item)
    fields = tuple((k, _field_spec(f"{where} fields.{k}", v)) for k, v in item.get("fields", {}).items())
    for key, _ in fields:
        if not _SNAKE.match(key) or key in _TEMPLATE_NAMES:
            raise SpecError(where, f"field name {key!r} must be snake_case and not a column name")
    metric = item.get("metric", {})
    if set(metric) - _METRIC_KEYS or (metric and not {"name", "field"} <= set(metric)):
        raise SpecError(where, "metric needs name and field (optional kind, scale)")
    if item.get("message"):
        _check_template(where, item["message"], _TEMPLATE_NAMES | {k for k, _ in fields})
    for name, pattern in item.get("when", {}).items():
        try:
            re.compile(pattern)
        except re.error as err:
            raise SpecError(where, f"when.{name} does not compile: {err}") from None
    return EventEntry(
        ids=ids, origin=where, provider=item.get("provider"),
        levels=tuple(item.get("levels", ())), when=tuple(item.get("when", {}).items()),
        category=item.get("category"), action=action, outcome=item.get("outcome"),
        severity=item.get("severity"), columns=columns, fields=fields, message=item.get("message"),
        tags=tuple((k, str(v)) for k, v in item.get("tags", {}).items()),
        metric_name=metric.get("name"),
        metric_field=_field_spec(f"{where} metric", metric["field"]) if metric else None,
        metric_kind=metric.get("kind"), metric_scale=float(metric.get("scale", 1.0)),
    )


def load_table(name: str, text: str) -> ChannelTable:
    where = f"parsers/code/windows_events/{name}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SpecError(where, f"not valid TOML: {err}") from None
    if set(data) - {"table", "event"}:
        raise SpecError(where, f"unknown section(s) {sorted(set(data) - {'table', 'event'})}")
    head = data.get("table", {})
    if set(head) - _TABLE_KEYS or not head.get("channels"):
        raise SpecError(where, "[table] needs channels (optional providers, category, description)")
    category = head.get("category", "other")
    if category not in CATEGORIES:
        raise SpecError(where, f"category {category!r} is not one of {sorted(CATEGORIES)}")
    table = ChannelTable(name, tuple(head["channels"]), tuple(head.get("providers", ())), category)
    for index, item in enumerate(data.get("event", [])):
        table.entries.append(_entry(f"{where} event #{index + 1}", item))
    return table


@lru_cache(maxsize=1)
def load_tables() -> Tables:
    """All tables shipped with the package, checked; a channel claimed twice is an error."""
    folder = resources.files("parsers.code") / "windows_events"
    tables = [load_table(item.name, item.read_text(encoding="utf-8"))
              for item in sorted(folder.iterdir(), key=lambda i: i.name) if item.name.endswith(".toml")]
    by_channel: dict[str, ChannelTable] = {}
    by_provider: dict[str, str] = {}
    for table in tables:
        for channel in table.channels:
            if channel.lower() in by_channel:
                raise SpecError(table.name, f"channel {channel!r} already has a table ({by_channel[channel.lower()].name})")
            by_channel[channel.lower()] = table
        for provider in table.providers:
            by_provider.setdefault(provider.lower(), table.channels[0])
    return Tables(tables, by_channel, by_provider)
