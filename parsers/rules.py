"""Event rules applied in bulk: each rule's conditions, then its settings, first match wins."""

from __future__ import annotations

import polars as pl

from parsers.spec import FIELD_COLUMNS, Rule

# Columns with few distinct values are tested once per distinct value in Python, which is
# far cheaper than a regex over every row; the message is tested in polars, only on the
# rows that passed the cheap conditions.
_CHEAP_LIMIT = 5000


def _cheap_mask(column: pl.Series, rule: Rule, name: str, cache: dict) -> pl.Series | None:
    key = (rule.origin, name)
    if key not in cache:
        uniques = column.unique().drop_nulls().to_list()
        if len(uniques) > _CHEAP_LIMIT:
            cache[key] = None
        else:
            regex = rule.when[name]
            cache[key] = [u for u in uniques if regex.search(u)]
    hits = cache[key]
    if hits is None:
        return None
    return column.is_in(hits)


def apply_rules(frame: pl.DataFrame, rules: tuple[Rule, ...]) -> pl.DataFrame:
    """Set rule fields on matching rows. Message regex groups named like a schema column fill
    that column; other named groups land in a `_rule_extra` JSON column."""
    if not rules or frame.height == 0:
        return frame
    frame = frame.with_row_index("_row")
    taken = pl.Series("taken", [False] * frame.height)
    pieces: list[pl.DataFrame] = []
    cache: dict = {}
    for rule in rules:
        mask = ~taken
        deferred = []
        for name in rule.when:
            column = frame[name].cast(pl.String)
            cheap = _cheap_mask(column, rule, name, cache) if name != "message" else None
            if cheap is None:
                deferred.append(name)
            else:
                mask = mask & cheap.fill_null(False)
            if not mask.any():
                break
        if not mask.any():
            continue
        subset = frame.filter(mask)
        for name in deferred:
            source = "(?x)" + rule.when_source[name]
            subset = subset.filter(subset[name].cast(pl.String).str.contains(source).fill_null(False))
        if subset.height == 0:
            continue
        piece = subset.select("_row")
        for column, value in rule.set.items():
            piece = piece.with_columns(pl.lit(value, dtype=pl.String).alias(column))
        for name in rule.when:
            groups = list(rule.when[name].groupindex)
            if not groups:
                continue
            extracted = subset[name].cast(pl.String).str.extract_groups("(?x)" + rule.when_source[name])
            fields = extracted.struct.unnest()
            extras = [g for g in groups if g not in FIELD_COLUMNS]
            for group in groups:
                if group in FIELD_COLUMNS:
                    piece = piece.with_columns(fields[group].alias(group))
            if extras:
                piece = piece.with_columns(
                    fields.select(extras).select(pl.struct(extras).struct.json_encode())
                    .to_series().alias("_rule_extra")
                )
        piece = piece.with_columns(pl.lit(rule.name).alias("_rule"))
        pieces.append(piece)
        taken = taken | frame["_row"].is_in(piece["_row"].implode())
    if not pieces:
        return frame.drop("_row")
    updates = pl.concat(pieces, how="diagonal_relaxed")
    joined = frame.join(updates, on="_row", how="left", suffix="_upd")
    overrides = [c for c in updates.columns if c not in ("_row", "_rule", "_rule_extra")]
    exprs = []
    for column in overrides:
        if column in frame.columns:
            exprs.append(pl.coalesce(pl.col(f"{column}_upd").cast(frame.schema[column]), pl.col(column)).alias(column))
    joined = joined.with_columns(exprs).drop([f"{c}_upd" for c in overrides if c in frame.columns])
    return joined.sort("_row").drop("_row")
