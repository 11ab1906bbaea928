"""Normalized Windows event rows (any reader: EVTX, EVT, XML, CSV) -> event schema via the EventID tables."""

from __future__ import annotations

import re
from dataclasses import replace

import polars as pl

from parsers.base import ParseContext
from parsers.code.winevent_fields import field_value, ip_address, process_id, spec_names, with_values
from parsers.code.winevent_tables import ChannelTable, EventEntry, Tables, load_tables
from parsers.schema import EVENT_SCHEMA, conform

# What every reader hands over, one row per record. `record` is the number that makes the
# event_id (unique in the file: the EVTX record header number), `record_id` the EventRecordID
# Event Viewer shows (source_record; filtered exports keep the original log's numbers).
# `data` is the EventData (or UserData) as a compact JSON object in the shape the Rust evtx
# crate writes: named <Data> as keys, unnamed ones as {"Data": {"#text": [...]}}; `text` is a
# rendered message when the input has one.
WINEVENT_SCHEMA: dict[str, pl.DataType] = {
    "_order": pl.Int64(), "record": pl.Int64(), "record_id": pl.Int64(), "event_key": pl.String(),
    "timestamp": pl.Datetime("us", "UTC"), "quality": pl.String(),
    "channel": pl.String(), "provider": pl.String(), "event_code": pl.String(),
    "level": pl.Int64(), "keywords": pl.String(), "computer": pl.String(),
    "user_sid": pl.String(), "sys_pid": pl.Int64(), "data": pl.String(),
    "raw": pl.String(), "text": pl.String(),
}
RAW_CHARS = 2000
# The plans here are wide but shallow and tokens are materialized by hand, so the optimizer's
# passes cost more than they save (measured: 5.5 -> 3.6 ms per entry group).
_PLAN = pl.QueryOptFlags.none()
MESSAGE_CHARS = 300
LEVEL_SEVERITY = {0: "info", 1: "critical", 2: "error", 3: "warning", 4: "info", 5: "debug"}
# Security audit keywords: the third hex digit of the 64-bit mask holds failure (1) / success (2).
_AUDIT_OUTCOME = {"1": "failure", "2": "success"}

_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def normalized_frame(columns: dict[str, list]) -> pl.DataFrame:
    """A reader's column lists as a frame with WINEVENT_SCHEMA (missing columns null)."""
    length = len(next(iter(columns.values()))) if columns else 0
    data = {name: columns.get(name, [None] * length) for name in WINEVENT_SCHEMA}
    return pl.DataFrame(data, schema=WINEVENT_SCHEMA)


def _severity_from_level() -> pl.Expr:
    return pl.col("level").replace_strict(LEVEL_SEVERITY, default="info", return_dtype=pl.String)


def _outcome_from_keywords() -> pl.Expr:
    digit = pl.col("keywords").str.strip_prefix("0x").str.zfill(16).str.slice(2, 1)
    return digit.replace_strict(_AUDIT_OUTCOME, default="unknown", return_dtype=pl.String).fill_null("unknown")


def _template(template: str, values: dict[str, pl.Expr]) -> pl.Expr:
    """Message text: {name} placeholders; a [segment] vanishes when one of its values is null."""
    pieces: list[pl.Expr] = []
    position = 0
    segments = []
    for match in _OPTIONAL.finditer(template):
        segments.append((False, template[position:match.start()]))
        segments.append((True, match.group(1)))
        position = match.end()
    segments.append((False, template[position:]))
    for optional, text in segments:
        parts: list[pl.Expr] = []
        cursor = 0
        for match in _PLACEHOLDER.finditer(text):
            if match.start() > cursor:
                parts.append(pl.lit(text[cursor:match.start()]))
            value = values[match.group(1)].cast(pl.String)
            parts.append(value if optional else value.fill_null("-"))
            cursor = match.end()
        if cursor < len(text):
            parts.append(pl.lit(text[cursor:]))
        if parts:
            segment = pl.concat_str(parts)
            pieces.append(segment.fill_null("") if optional else segment)
    return pl.concat_str(pieces) if pieces else pl.lit("")


def _entry_mask(entry: EventEntry, columns: dict[str, str]) -> pl.Expr:
    mask = pl.lit(True)
    if entry.provider:
        mask = mask & pl.col("provider").str.contains(entry.provider).fill_null(False)
    if entry.levels:
        mask = mask & pl.col("level").is_in(list(entry.levels)).fill_null(False)
    for name, pattern in entry.when:
        mask = mask & pl.col(columns[name]).str.contains(pattern).fill_null(False)
    return mask


def _default_message(text_fallback: bool) -> pl.Expr:
    head = pl.concat_str([pl.col("provider").fill_null("?"), pl.lit(" "), pl.col("event_code").fill_null("?")])
    detail = pl.coalesce(pl.col("text"), pl.col("data").str.slice(0, 160)) if text_fallback else pl.col("text")
    return pl.when(detail.is_not_null() & (detail != "null")).then(
        pl.concat_str([head, pl.lit(": "), detail])).otherwise(head)


def _build(part: pl.LazyFrame, table: ChannelTable | None, entry: EventEntry | None) -> pl.LazyFrame:
    """One group of rows that share an entry (or none) -> event columns plus _order (lazy: all
    groups are collected together, so polars plans once and runs them in parallel)."""
    part, found = with_values(part, spec_names(entry))
    columns: dict[str, pl.Expr] = {}
    specs = dict(entry.columns) if entry else {}
    for name in ("user", "src_ip", "process", "url"):
        value = field_value(specs[name], found) if name in specs else pl.lit(None, dtype=pl.String)
        columns[name] = ip_address(value) if name == "src_ip" else value
    if "pid" in specs:
        columns["pid"] = process_id(field_value(specs["pid"], found))
    elif "process" in specs:
        columns["pid"] = pl.lit(None, dtype=pl.Int64)
    else:
        columns["pid"] = pl.col("sys_pid")
    columns["process"] = pl.coalesce(columns["process"], pl.col("provider"))
    fields = {key: field_value(spec, found) for key, spec in entry.fields} if entry else {}
    if entry and entry.metric_name:
        columns["metric_name"] = pl.lit(entry.metric_name)
        columns["metric_value"] = field_value(entry.metric_field, found).cast(pl.Float64, strict=False) * entry.metric_scale
    else:
        columns["metric_name"] = pl.lit(None, dtype=pl.String)
        columns["metric_value"] = pl.lit(None, dtype=pl.Float64)
    frame = part.with_columns(**columns, **{f"_f_{k}": v for k, v in fields.items()})

    if entry and entry.category:
        category = pl.lit(entry.category)
    else:
        category = pl.lit(table.category) if table else pl.col("_table_category")
    action = entry.action if entry else "log_line"
    values = {name: pl.col(name) for name in ("event_code", "provider", "channel", "user", "src_ip",
                                               "process", "pid", "url", "metric_value")}
    values["computer"] = pl.col("computer")
    metric = pl.col("metric_value")
    values["metric_value"] = pl.when(metric == metric.round(0)).then(
        metric.cast(pl.Int64, strict=False).cast(pl.String)).otherwise(metric.round(3).cast(pl.String))
    values["action"] = pl.lit(action)
    values.update({k: pl.col(f"_f_{k}") for k in fields})
    if entry and entry.message:
        message = _template(entry.message, values)
    elif entry:
        message = _template("{event_code} " + action.replace("_", " ") + "[ {user}][ from {src_ip}][: {process}]", values)
    else:
        message = _default_message(text_fallback=True)

    head = [pl.col("channel"), pl.col("provider"), pl.col("level"), pl.col("user_sid"),
            pl.col("record").alias("record_number")]
    head += [pl.col(f"_f_{k}").alias(k) for k in fields]
    head += [pl.lit(value).alias(key) for key, value in (entry.tags if entry else ())]
    if entry and entry.metric_kind:
        head.append(pl.lit(entry.metric_kind).alias("metric_kind"))
    head.append(pl.col("text"))
    encoded = pl.struct(head).struct.json_encode()
    has_data = pl.col("data").is_not_null() & (pl.col("data") != "null")
    extra = pl.when(has_data).then(
        pl.concat_str([encoded.str.strip_suffix("}"), pl.lit(',"data":'), pl.col("data"), pl.lit("}")])
    ).otherwise(encoded)

    return frame.select(
        pl.col("_order"),
        pl.col("event_key"),
        pl.col("record"),
        pl.col("record_id"),
        pl.col("timestamp"),
        pl.col("quality").alias("timestamp_quality"),
        pl.col("computer").alias("host"),
        category.alias("category"),
        pl.lit(action).alias("action"),
        (pl.lit(entry.outcome) if entry and entry.outcome else _outcome_from_keywords()).alias("outcome"),
        (pl.lit(entry.severity) if entry and entry.severity else _severity_from_level()).alias("severity"),
        pl.col("event_code"),
        pl.col("process"), pl.col("pid"), pl.col("user"), pl.col("src_ip"), pl.col("url"),
        pl.col("metric_name"), pl.col("metric_value"),
        message.str.replace_many(["\r\n", "\n", "\r", "\t"], [" ", " ", " ", " "]).str.slice(0, MESSAGE_CHARS).alias("message"),
        pl.col("raw").str.slice(0, RAW_CHARS),
        extra.alias("extra"),
    )


def _with_entries(part: pl.DataFrame, entries: list[EventEntry]) -> pl.DataFrame:
    part, columns = with_values(part.lazy(), [name for entry in entries for name, _ in entry.when])
    chain = None
    for index, entry in enumerate(entries):
        mask = _entry_mask(entry, columns)
        chain = pl.when(mask).then(index) if chain is None else chain.when(mask).then(index)
    return part.with_columns(chain.otherwise(-1).alias("_entry")).drop(list(columns.values())).collect(optimizations=_PLAN)


def to_events(frame: pl.DataFrame, ctx: ParseContext, source_format: str,
              tables: Tables | None = None) -> pl.DataFrame:
    """Normalized rows -> conformed event rows, in the order of `_order`.

    Rows are grouped by the table entry they match (one polars pass per entry, not per row);
    rows no entry claims share one generic pass.
    """
    tables = tables or load_tables()
    if frame.height == 0:
        return conform(pl.DataFrame(schema=EVENT_SCHEMA))
    categories = {key: table.category for key, table in tables.by_channel.items()}
    frame = frame.with_columns(
        pl.col("channel").fill_null("").str.to_lowercase().alias("_key"),
        pl.coalesce(pl.col("event_key"), pl.col("record").cast(pl.String)).alias("event_key"),
    ).with_columns(pl.col("_key").replace_strict(categories, default="other", return_dtype=pl.String)
                   .alias("_table_category"))
    generic: list[pl.DataFrame] = []
    claimed: dict[int, tuple[EventEntry, ChannelTable | None, list[pl.DataFrame]]] = {}

    def claim(entry: EventEntry, key: str, rows: pl.DataFrame) -> None:
        claimed.setdefault(id(entry), (entry, tables.table_for(key), []))[2].append(rows)

    # Provider filters are decided once per (channel, EventID, provider) group, in Python;
    # only `levels` and `when` conditions need a pass over the rows.
    groups = frame.partition_by(["_key", "event_code", "provider"], as_dict=True, maintain_order=True)
    for (key, code, provider), part in groups.items():
        entries = [e for e in tables.candidates(key, code)
                   if not e.provider or re.search(e.provider, provider or "")]
        if not entries:
            generic.append(part)
        elif not (entries[0].levels or entries[0].when):
            claim(entries[0], key, part)
        else:
            part = _with_entries(part, [replace(e, provider=None) for e in entries])
            for (index,), group in part.partition_by("_entry", as_dict=True, maintain_order=True).items():
                if index < 0:
                    generic.append(group.drop("_entry"))
                else:
                    claim(entries[index], key, group.drop("_entry"))
    built = [_build(pl.concat(parts).lazy(), table, entry) for entry, table, parts in claimed.values()]
    if generic:
        built.append(_build(pl.concat(generic).lazy(), None, None))
    out = pl.concat(built, how="vertical").sort("_order").with_columns(
        (pl.lit(ctx.id_prefix + ":") + pl.col("event_key")).alias("event_id"),
        pl.coalesce(pl.col("record_id"), pl.col("record")).cast(pl.String).alias("source_record"),
        pl.lit(source_format).alias("source_format"),
        pl.lit(ctx.source_file).alias("source_file"),
    ).collect(optimizations=_PLAN)
    return conform(out)
