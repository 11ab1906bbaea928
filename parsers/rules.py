"""Event rules applied in bulk: each rule's conditions, then its settings, first match wins."""

from __future__ import annotations

from functools import lru_cache
import json
import re

import numpy as np
import polars as pl

from parsers.lines import text_buffers
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
        self._rows: dict[tuple[str, str], np.ndarray] = {}  # many rules share a condition

    def groups(self, column: str) -> dict[str, np.ndarray] | None:
        if column not in self._groups:
            series = self.frame[column].cast(pl.String)
            if series.n_unique() > _CHEAP_LIMIT:
                self._groups[column] = None
            else:
                table = (pl.DataFrame({"v": series, "i": np.arange(len(series), dtype=np.int64)})
                         .drop_nulls("v").group_by("v").agg("i"))
                # the row lists as numpy slices of one array, not as Python lists
                flat = table["i"].explode().to_numpy()
                ends = np.cumsum(table["i"].list.len().to_numpy())[:-1]
                self._groups[column] = dict(zip(table["v"].to_list(), np.split(flat, ends)))
        return self._groups[column]

    def rows(self, rule: Rule, column: str) -> np.ndarray | None:
        """Rows whose value in column passes the rule's condition; None when the column has
        too many distinct values to test this way."""
        groups = self.groups(column)
        if groups is None:
            return None
        regex = rule.when[column]
        key = (column, regex.pattern)
        if key not in self._rows:
            hits = [rows for value, rows in groups.items() if _value_matches(regex, value)]
            self._rows[key] = (np.sort(np.concatenate(hits)) if len(hits) > 1 else hits[0] if hits
                               else np.empty(0, dtype=np.int64))
        return self._rows[key]


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


def needs_escape_rows(values: pl.Series) -> np.ndarray:
    """Per row of a text series: does it hold a character JSON escapes (a quote, a backslash,
    a control character; polars writes everything else, non-ASCII too, as is)? Read from the
    bytes of the whole column at once: a regex over every row cost several times as much
    (benchmarks/chunk_stages.py), and where there are none the answer is immediate."""
    offsets, data = text_buffers(values)
    flags = np.zeros(len(offsets) - 1, dtype=bool)
    if data.size == 0:
        return flags
    data = data[offsets[0]:offsets[-1]]
    where = np.flatnonzero((data < 0x20) | (data == 0x22) | (data == 0x5C)) + offsets[0]
    if where.size:
        flags[np.searchsorted(offsets, where, side="right") - 1] = True
    return flags


def json_body_of(frame: pl.DataFrame, columns: list[str], keys: list[str] | None = None,
                 plain: bool = False) -> pl.Series:
    """json_body(columns, keys) of an eager frame, the same text, cheaper: columns that are
    all null are left out, and text columns with nothing to escape are quoted by plain
    concatenation instead of a JSON encoder per value (plain=True: the caller knows that no
    text column has anything to escape)."""
    keys = keys or columns
    members = []
    for column, key in zip(columns, keys):
        values = frame[column]
        if values.null_count() == values.len():
            continue
        if values.dtype == pl.String and (plain or not needs_escape_rows(values).any()):
            members.append(pl.lit(json.dumps(key) + ':"') + pl.col(column) + pl.lit('"'))
        else:
            members.append(json_body([column], [key]))
    if not members:
        return pl.repeat(None, frame.height, dtype=pl.String, eager=True)
    body = pl.concat_str(members, separator=",", ignore_nulls=True)
    return frame.select(pl.when(body != "").then(body)).to_series()


def join_bodies_of(frame: pl.DataFrame, columns: list[str]) -> pl.Expr:
    """join_bodies of the frame's body columns, leaving out those that are all null: with one
    left, braces around it are all it takes."""
    present = [c for c in columns if c in frame.columns and frame[c].null_count() < frame.height]
    if not present:
        return pl.lit(None, dtype=pl.String)
    if len(present) == 1:
        body = pl.col(present[0])
        return pl.when(body != "").then(pl.lit("{") + body + pl.lit("}"))
    return join_bodies(*[pl.col(c) for c in present])


def _nulls(name: str, height: int) -> pl.Series:
    return pl.repeat(None, height, dtype=pl.String, eager=True).alias(name)


def join_bodies(*bodies: pl.Expr) -> pl.Expr:
    """JSON object bodies (each may be null) as one JSON object string, null when empty."""
    body = pl.concat_str(list(bodies), separator=",", ignore_nulls=True)
    return pl.when(body != "").then(pl.lit("{") + body + pl.lit("}"))


def apply_rules(frame: pl.DataFrame, rules: tuple[Rule, ...]) -> pl.DataFrame:
    """Set rule fields on matching rows. Message regex groups named like a schema column fill
    that column; other named groups land in `_rule_extra`, a JSON object body (see json_body).

    Logs repeat themselves: the rules run once per distinct combination of the columns they
    read, and the results are spread back to every row holding it. Two passes: first each
    combination's rule is decided (conditions only, no captures, each rule looking only at
    what no earlier rule took); then every column is written once, fixed values by one gather
    from a per-rule table and captures only where a rule took the combination."""
    if not rules or frame.height == 0:
        return frame
    keys = list(dict.fromkeys(c for rule in rules for c in rule.when if c in frame.columns))
    distinct, inverse = _distinct(frame, keys)
    texts = _Texts(distinct)
    decided = _decide(distinct, rules, texts)
    if not decided:
        return frame
    return _write(frame, distinct.height, inverse, decided, texts)


# Below this share of distinct combinations in a sample, grouping rows first pays for itself.
_GROUP_SHARE = 0.8
_GROUP_SAMPLE = 4096


def _distinct(frame: pl.DataFrame, keys: list[str]) -> tuple[pl.DataFrame, np.ndarray | None]:
    """The distinct combinations of the key columns, and for each row of the frame the
    number of its combination (None: every row is its own; the frame is returned as is)."""
    if not keys or frame.height < 2 * _GROUP_SAMPLE:
        return frame, None
    sample = frame.select(keys).head(_GROUP_SAMPLE)
    if sample.n_unique() > _GROUP_SHARE * sample.height:
        return frame, None
    groups = (frame.select(keys).with_row_index("_i")
              .group_by(keys).agg(pl.col("_i")))
    members = groups.with_row_index("_g").select("_g", "_i").explode("_i")
    inverse = np.empty(frame.height, dtype=np.int64)
    inverse[members["_i"].to_numpy()] = members["_g"].to_numpy()
    return groups.drop("_i"), inverse


class _Texts:
    """Condition columns as text, cast once per frame."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self._cache: dict[str, pl.Series] = {}
        self._escapes: dict[str, np.ndarray] = {}

    def __getitem__(self, column: str) -> pl.Series:
        if column not in self._cache:
            self._cache[column] = self.frame[column].cast(pl.String)
        return self._cache[column]

    def plain(self, column: str, rows: np.ndarray) -> bool:
        """True when no value of the column at these rows holds a character JSON escapes (so
        neither can any capture from them)."""
        if column not in self._escapes:
            self._escapes[column] = needs_escape_rows(self[column])
        return not self._escapes[column][rows].any()


def _decide(frame: pl.DataFrame, rules: tuple[Rule, ...], texts: _Texts) -> list[tuple[Rule, np.ndarray]]:
    """(rule, rows it takes) for every rule that takes a row; first match wins.

    Rules with the same cheap conditions (tested once per distinct value: the same process,
    say) that then test one column row by row form a family: the sshd rules, or the rules
    that test only the message. A row that none of a family's regexes matches would be
    tested by each of them in turn; one pass of the family's union over its rows finds the
    rows any of them can take, and each rule then tests only those."""
    index = _RowIndex(frame)
    taken = np.zeros(frame.height, dtype=bool)
    everything = np.arange(frame.height, dtype=np.int64)
    plans = []
    families: dict[tuple, list[Rule]] = {}
    for rule in rules:
        cheap = [n for n in rule.when if n != "message" and index.rows(rule, n) is not None]
        deferred = [n for n in rule.when if n not in cheap]
        key = (tuple((n, rule.when_source[n]) for n in cheap), tuple(deferred))
        plans.append((rule, cheap, deferred, key))
        if len(deferred) == 1:
            families.setdefault(key, []).append(rule)
    family_rows: dict[tuple, np.ndarray | None] = {}  # None: the family's union does not pay
    decided = []
    for rule, cheap, deferred, key in plans:
        found = family_rows.get(key)
        if found is not None:  # the rows the family's union found, less those taken since
            candidates = found[~taken[found]]
        else:
            candidates = None
            for name in cheap:
                rows = index.rows(rule, name)
                candidates = rows if candidates is None else np.intersect1d(candidates, rows, assume_unique=True)
            if candidates is None:
                candidates = everything
            candidates = candidates[~taken[candidates]]
            family = families.get(key, ())
            if len(family) > 1 and candidates.size and key not in family_rows:
                family_rows[key] = found = _any_of(family, deferred[0], candidates, texts)
                if found is not None:
                    candidates = found
        for name in deferred:
            if candidates.size == 0:
                break
            values = texts[name].gather(candidates)
            hit = values.str.contains("(?x)" + rule.when_source[name]).fill_null(False)
            candidates = candidates[hit.to_numpy()]
        if candidates.size == 0:
            continue
        taken[candidates] = True
        decided.append((rule, candidates))
    return decided


# The union pass costs about one rule's test of every row; it pays where the rows no rule of
# the family takes, each tested by every rule in turn, make up more of the work than that.
# Judged on a sample of the family's rows.
_FAMILY_SAMPLE = 512
_FAMILY_PAYS = 1.5


def _any_of(family: list[Rule], column: str, rows: np.ndarray, texts: _Texts) -> np.ndarray | None:
    """The rows (of `rows`) whose value in column any of the family's regexes matches; None
    when a sample says that nearly every row is some rule's (then the union saves nothing)."""
    # named groups become plain ones: the same name may appear in several rules
    union = "(?x)" + "|".join("(?:" + _NAMED_GROUP.sub("(?:", r.when_source[column]) + "\n)" for r in family)
    if rows.size > 2 * _FAMILY_SAMPLE:
        sample = rows[:: rows.size // _FAMILY_SAMPLE]
        missed = 1.0 - texts[column].gather(sample).str.contains(union).fill_null(False).mean()
        if missed * (len(family) - 1) < _FAMILY_PAYS:
            return None
    if rows.size * 2 > texts.frame.height:  # most rows: test them all rather than copy them
        return rows[texts[column].str.contains(union).fill_null(False).to_numpy()[rows]]
    hits = texts[column].gather(rows).str.contains(union).fill_null(False).to_numpy()
    return rows[hits]


def _captured_columns(rule: Rule) -> set[str]:
    return {g for regex in rule.when.values() for g in regex.groupindex if g in FIELD_COLUMNS}


def _write(frame: pl.DataFrame, height: int, inverse: np.ndarray | None,
           decided: list[tuple[Rule, np.ndarray]], texts: _Texts) -> pl.DataFrame:
    """The rules' values for the `height` decided rows (distinct combinations), spread to the
    frame's rows by `inverse`: a rule's value replaces the frame's, except where a capture
    group of the rule came out empty."""
    # which decided rule took each row; rows no rule took point past the end (a null entry)
    which = np.full(height, len(decided), dtype=np.int64)
    for number, (_, rows) in enumerate(decided):
        which[rows] = number
    which_series = pl.Series(which)
    values: dict[str, pl.Series] = {}
    for column in dict.fromkeys(c for rule, _ in decided for c in rule.set):
        # a rule that captures a column sets it from the capture, not from its fixed value
        table = [None if column in _captured_columns(rule) else rule.set.get(column) for rule, _ in decided]
        values[column] = pl.Series(column, table + [None], dtype=pl.String).gather(which_series)
    # captures, only on the rows each rule took
    captured: dict[str, list[tuple[np.ndarray, pl.Series]]] = {}
    extras: list[tuple[np.ndarray, pl.Series]] = []
    for rule, rows in decided:
        bodies = []
        for name, regex in rule.when.items():
            groups = list(regex.groupindex)
            if not groups:
                continue
            fields = texts[name].gather(rows).str.extract_groups("(?x)" + rule.when_source[name]).struct.unnest()
            for group in groups:
                if group in FIELD_COLUMNS:
                    captured.setdefault(group, []).append((rows, fields[group]))
            others = [g for g in groups if g not in FIELD_COLUMNS]
            if others:
                bodies.append(json_body_of(fields, others, plain=texts.plain(name, rows)))
        if bodies:
            if len(bodies) == 1:
                body = bodies[0]
            else:
                joined = pl.concat_str([b.alias(str(i)) for i, b in enumerate(bodies)], separator=",", ignore_nulls=True)
                body = pl.select(pl.when(joined != "").then(joined)).to_series()
            extras.append((rows, body))
    for column, pieces in captured.items():
        base = values.get(column, _nulls(column, height))
        rows = np.concatenate([r for r, _ in pieces])
        values[column] = base.scatter(rows, pl.concat([v.cast(pl.String) for _, v in pieces]))
    if extras:
        rows = np.concatenate([r for r, _ in extras])
        values["_rule_extra"] = _nulls("_rule_extra", height).scatter(
            rows, pl.concat([v for _, v in extras]))
    spread = pl.Series(inverse) if inverse is not None else None
    columns = {}
    for column, series in values.items():
        if spread is not None:
            series = series.gather(spread)
        if column in frame.columns:
            base = frame[column]
            series = series.cast(base.dtype, strict=False)
            if base.null_count() < base.len():
                series = series.fill_null(base)
        columns[column] = series.alias(column)
    return frame.with_columns(**columns)
