"""Event rules applied in bulk: each rule's conditions, then its settings, first match wins."""

from __future__ import annotations

from functools import lru_cache
import re

import numpy as np
import polars as pl

from parsers.spec import FIELD_COLUMNS, Rule

# Columns with few distinct values (process, event_code, host) are tested once per distinct
# value in Python, and a rule then only looks at the rows holding a matching value; the
# message is tested in polars, and only on those rows.
_CHEAP_LIMIT = 5000
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


@lru_cache(maxsize=200_000)
def _value_matches(regex: re.Pattern[str], value: str) -> bool:
    return regex.search(value) is not None


class _RowIndex:
    """Row numbers of each distinct value of the cheap columns of one frame."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self._groups: dict[str, dict[str, np.ndarray] | None] = {}

    def groups(self, column: str) -> dict[str, np.ndarray] | None:
        if column not in self._groups:
            series = self.frame[column].cast(pl.String)
            if series.n_unique() > _CHEAP_LIMIT:
                self._groups[column] = None
            else:
                table = (pl.DataFrame({"v": series, "i": np.arange(len(series), dtype=np.int64)})
                         .drop_nulls("v").group_by("v").agg("i"))
                self._groups[column] = {v: np.asarray(i, dtype=np.int64) for v, i in table.iter_rows()}
        return self._groups[column]

    def rows(self, rule: Rule, column: str) -> np.ndarray | None:
        """Rows whose value in column passes the rule's condition; None when the column has
        too many distinct values to test this way."""
        groups = self.groups(column)
        if groups is None:
            return None
        regex = rule.when[column]
        hits = [rows for value, rows in groups.items() if _value_matches(regex, value)]
        if not hits:
            return np.empty(0, dtype=np.int64)
        return np.sort(np.concatenate(hits)) if len(hits) > 1 else hits[0]


def json_body(columns: list[str], keys: list[str] | None = None) -> pl.Expr:
    """The members of a JSON object ('"k":"v","k2":1', no braces) for the columns that are
    not null in a row; null when all are. Bodies join with a comma; wrap once in braces."""
    keys = keys or columns
    members = [
        pl.struct(pl.col(c).alias(k)).struct.json_encode().str.strip_prefix("{").str.strip_suffix("}")
        for c, k in zip(columns, keys)
    ]
    members = [pl.when(pl.col(c).is_not_null()).then(m) for c, m in zip(columns, members)]
    body = pl.concat_str(members, separator=",", ignore_nulls=True)
    return pl.when(body != "").then(body)


def join_bodies(*bodies: pl.Expr) -> pl.Expr:
    """JSON object bodies (each may be null) as one JSON object string, null when empty."""
    body = pl.concat_str(list(bodies), separator=",", ignore_nulls=True)
    return pl.when(body != "").then(pl.lit("{") + body + pl.lit("}"))


def apply_rules(frame: pl.DataFrame, rules: tuple[Rule, ...]) -> pl.DataFrame:
    """Set rule fields on matching rows. Message regex groups named like a schema column fill
    that column; other named groups land in `_rule_extra`, a JSON object body (see json_body)."""
    if not rules or frame.height == 0:
        return frame
    index = _RowIndex(frame)
    taken = np.zeros(frame.height, dtype=bool)
    everything = np.arange(frame.height, dtype=np.int64)
    # Rules that only test the message would each scan every row; one pass of their union
    # finds the few rows any of them can match.
    message_only = [r for r in rules if set(r.when) == {"message"}]
    grouped = {id(r) for r in message_only} if len(message_only) > 1 else set()
    union_rows: np.ndarray | None = None
    pieces: list[pl.DataFrame] = []
    for rule in rules:
        if union_rows is None and id(rule) in grouped:
            # named groups become plain ones: the same name may appear in several rules
            union = "|".join("(?:" + _NAMED_GROUP.sub("(?:", r.when_source["message"]) + "\n)"
                             for r in message_only)
            hits = frame["message"].cast(pl.String).str.contains("(?x)" + union).fill_null(False)
            union_rows = hits.arg_true().to_numpy().astype(np.int64)
        candidates = union_rows if id(rule) in grouped else None
        deferred = []
        for name in rule.when:
            rows = index.rows(rule, name) if name != "message" else None
            if rows is None:
                deferred.append(name)
                continue
            candidates = rows if candidates is None else np.intersect1d(candidates, rows, assume_unique=True)
        if candidates is None:
            candidates = everything
        candidates = candidates[~taken[candidates]]
        if candidates.size == 0:
            continue
        # gather only the columns the rule reads: rows are wide (raw line, message)
        subset = frame.select(list(rule.when))[candidates].with_columns(pl.Series("_row", candidates))
        captured: dict[str, pl.DataFrame] = {}
        for name in deferred:
            text = subset[name].cast(pl.String)
            if not rule.when[name].groupindex:
                subset = subset.filter(text.str.contains("(?x)" + rule.when_source[name]).fill_null(False))
                continue
            # one pass both tests and captures: the empty _hit group is non-null on a match
            fields = text.str.extract_groups("(?x)(?P<_hit>)(?:" + rule.when_source[name] + "\n)").struct.unnest()
            keep = fields["_hit"].is_not_null()
            subset, captured[name] = subset.filter(keep), fields.filter(keep)
            for other in captured:
                if other != name:
                    captured[other] = captured[other].filter(keep)
        if subset.height == 0:
            continue
        pieces.append(_settings(rule, subset, captured))
        taken[subset["_row"].to_numpy()] = True
    if not pieces:
        return frame
    return _merge(frame, pl.concat(pieces, how="diagonal_relaxed"))


def _settings(rule: Rule, subset: pl.DataFrame, captured: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """What a rule sets on its rows: fixed values, then named groups of its regexes
    (already captured for the conditions tested in polars)."""
    piece = subset.select("_row", *[pl.lit(v, dtype=pl.String).alias(c) for c, v in rule.set.items()])
    for name, regex in rule.when.items():
        groups = list(regex.groupindex)
        if not groups:
            continue
        fields = captured.get(name)
        if fields is None:
            fields = subset[name].cast(pl.String).str.extract_groups("(?x)" + rule.when_source[name]).struct.unnest()
        direct = [g for g in groups if g in FIELD_COLUMNS]
        extras = [g for g in groups if g not in FIELD_COLUMNS]
        piece = piece.with_columns(*[fields[g] for g in direct])
        if extras:
            piece = piece.with_columns(fields.select(json_body(extras)).to_series().alias("_rule_extra"))
    return piece


def _merge(frame: pl.DataFrame, updates: pl.DataFrame) -> pl.DataFrame:
    """Rule values override the frame's where a rule set them."""
    order = updates["_row"].to_numpy()
    columns = {}
    for column in updates.columns:
        if column == "_row":
            continue
        values = updates[column]
        if column in frame.columns:
            base = frame[column]
            values = values.cast(base.dtype, strict=False)
            # keep the frame's value where the rule's group did not capture
            current = base.gather(order)
            columns[column] = base.scatter(order, values.fill_null(current) if values.null_count() else values)
        else:
            full = pl.Series(column, [None] * frame.height, dtype=values.dtype)
            columns[column] = full.scatter(order, values)
    return frame.with_columns(**columns)
