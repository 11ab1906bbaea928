"""EventData fields named by the EventID tables -> clean string columns (regex on the record's JSON text)."""

from __future__ import annotations

import json
import re

import polars as pl

from parsers.code.winevent_tables import EventEntry, FieldSpec

_STRING = r'"(?:[^"\\]|\\.)*"'
_POSITIONAL = r'[{,]"Data":\{"#text":(\[(?:' + _STRING + r'|[^\]"])*\]|' + _STRING + r')'
_META = re.compile(r"([\\.+*?()|\[\]{}^$#&\-~ ])")


def _decode(token: pl.Expr) -> pl.Expr:
    """A JSON scalar token (string, number, bool) as its string value; pass a column, not a
    computed expression, as the token is used several times."""
    escaped = token.str.contains("\\", literal=True)
    plain = pl.when(token.str.starts_with('"')).then(
        token.str.strip_prefix('"').str.strip_suffix('"')).otherwise(token)
    return pl.when(escaped).then(pl.when(escaped).then(token).str.json_decode(pl.String)).otherwise(plain)


def _clean(value: pl.Expr) -> pl.Expr:
    """Trimmed; "" and "-" (Windows' "no value") become null. Pass a column: `value` is used twice."""
    value = value.str.strip_chars()
    return pl.when(value.is_in(["", "-"])).then(None).otherwise(value)


def _positional(name: str) -> int | None:
    return int(name[5:]) if name.startswith("Data.") and name[5:].isdigit() else None


def _token(name: str) -> pl.Expr:
    """The raw JSON token of one EventData field (for "Data.N": the unnamed Data array or string)."""
    if _positional(name) is not None:
        return pl.col("data").str.extract(_POSITIONAL, 1)
    key = json.dumps(name, ensure_ascii=False)[1:-1]  # keys appear JSON-escaped in the text
    return pl.col("data").str.extract('"' + _META.sub(r"\\\1", key) + '":(' + _STRING + r"|-?[0-9][0-9.eE+-]*|true|false)", 1)


def with_values(frame: pl.LazyFrame, names: list[str]) -> tuple[pl.LazyFrame, dict[str, str]]:
    """Frame plus one clean string column per EventData field name; returns name -> column.

    Tokens are extracted in one pass and decoded in the next, so each regex runs once."""
    names = list(dict.fromkeys(names))
    if not names:
        return frame, {}
    token_columns: dict[str, str] = {}
    for name in names:
        key = "Data" if _positional(name) is not None else name
        token_columns.setdefault(key, f"_t{len(token_columns)}")
    frame = frame.with_columns(**{column: _token(key if key != "Data" else "Data.0")
                                  for key, column in token_columns.items()})
    values: dict[str, pl.Expr] = {}
    if "Data" in token_columns:
        token = pl.col(token_columns["Data"])
        is_list = token.str.starts_with("[")
        frame = frame.with_columns(
            pl.when(is_list).then(token).str.json_decode(pl.List(pl.String)).alias("_tlist"),
            pl.when(~is_list).then(token).alias("_tone"),
        )
    result: dict[str, str] = {}
    for index, name in enumerate(names):
        position = _positional(name)
        if position is None:
            value = _decode(pl.col(token_columns[name]))
        else:
            value = pl.col("_tlist").list.get(position, null_on_oob=True)
            if position == 0:
                value = pl.coalesce(value, _decode(pl.col("_tone")))
        values[f"_v{index}"] = value
        result[name] = f"_v{index}"
    frame = frame.with_columns(**values).with_columns(**{column: _clean(pl.col(column)) for column in values})
    return frame.drop([*token_columns.values(), "_tlist", "_tone"], strict=False), result


def field_value(spec: FieldSpec, columns: dict[str, str]) -> pl.Expr:
    values = [pl.col(columns[name]) for name in spec.names]
    value = values[0] if len(values) == 1 else pl.coalesce(values)
    if spec.regex:
        value = _clean(value.str.extract(spec.regex, 1))
    return value


def spec_names(entry: EventEntry | None) -> list[str]:
    if entry is None:
        return []
    specs = [spec for _, spec in entry.columns] + [spec for _, spec in entry.fields]
    if entry.metric_field:
        specs.append(entry.metric_field)
    return [name for spec in specs for name in spec.names]


def process_id(value: pl.Expr) -> pl.Expr:
    """Decimal or 0x-hex process id; 0 (Security's "no process") becomes null."""
    number = pl.when(value.str.starts_with("0x")).then(
        value.str.slice(2).str.to_integer(base=16, strict=False)).otherwise(
        value.str.to_integer(strict=False))
    return pl.when(number != 0).then(number)


def ip_address(value: pl.Expr) -> pl.Expr:
    value = value.str.strip_prefix("::ffff:").str.replace(r"^(\d+\.\d+\.\d+\.\d+):\d+$", "$1")
    value = value.str.replace(r"^\[([0-9A-Fa-f:.]+)\]:\d+$", "$1")
    return value.str.replace(r"^([0-9A-Fa-f:]+:[0-9A-Fa-f:.]*)%[0-9A-Za-z]+$", "$1")  # IPv6 zone id
