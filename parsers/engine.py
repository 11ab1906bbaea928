"""The spec engines: a text or JSON-lines spec applied to all lines of a chunk at once."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from parsers.base import ParseContext, Source, iter_text_chunks
from parsers.rules import apply_rules
from parsers.schema import conform
from parsers.spec import FIELD_COLUMNS, FormatSpec
from parsers import timestamps as ts

SNIFF_LINES = 200
# Warn that detection is likely wrong when more than this share of a file is unparsed.
WRONG_FORMAT_SHARE = 0.5


def split_lines(text: str) -> pl.Series:
    """Lines of a text chunk (\n only: \r and other separators stay inside the line)."""
    if text.endswith("\n"):
        text = text[:-1]
    return pl.Series("line", text.split("\n"), dtype=pl.String).str.strip_suffix("\r")


def anchored(source: str) -> str:
    return "(?x)^(?:" + source + "\n)$"


def name_hint(spec: FormatSpec, source: Source) -> bool:
    base = source.stem_name().lower()
    return any(fnmatch.fnmatch(base, pattern.lower()) for pattern in spec.filenames)


class SpecParser:
    """A Parser driven by one spec (engine 'lines' or 'jsonl')."""

    def __init__(self, spec: FormatSpec) -> None:
        self.spec = spec
        self.name = spec.name
        self._anchored = [anchored(p.source) for p in spec.patterns]
        self._quality = ts.quality(spec.timestamp)

    # -- detection -------------------------------------------------------------------
    def share_matched(self, lines: pl.Series) -> float:
        lines = lines.filter(lines.str.strip_chars() != "")
        if lines.len() == 0:
            return 0.0
        frame, _ = self.extract(lines)
        return frame["_matched"].sum() / lines.len()

    def sniff(self, source: Source, head: bytes) -> float:
        text = head.decode("utf-8", errors="replace")
        if len(head) >= 65536:
            text = text[: text.rfind("\n") + 1] or text
        lines = split_lines(text).head(SNIFF_LINES)
        share = self.share_matched(lines)
        if share < self.spec.min_share:
            return 0.0
        # a name hint only breaks ties between formats that read the content equally well
        return min(1.0, share * 0.9 + (0.1 if name_hint(self.spec, source) else 0.0))

    # -- extraction ------------------------------------------------------------------
    def extract(self, lines: pl.Series) -> tuple[pl.DataFrame, list[str]]:
        """Named groups of the first pattern that matches each line, plus `_matched` and
        `_pattern`. Returns the frame and the union of group names."""
        if self.spec.engine == "jsonl":
            return self._extract_json(lines)
        frame = pl.DataFrame({"line": lines})
        names: list[str] = []
        for pattern in self.spec.patterns:
            for group in pattern.regex.groupindex:
                if group not in names:
                    names.append(group)
        result = frame.with_columns(
            pl.lit(False).alias("_matched"), pl.lit(None, dtype=pl.String).alias("_pattern"),
            *[pl.lit(None, dtype=pl.String).alias(n) for n in names],
        )
        for pattern, regex in zip(self.spec.patterns, self._anchored):
            todo = ~result["_matched"]
            if not todo.any():
                break
            groups = list(pattern.regex.groupindex)
            struct = pl.col("line").str.extract_groups(regex)
            hit = pl.col("line").str.contains(regex)
            updates = [pl.when(todo & hit).then(struct.struct.field(g)).otherwise(pl.col(g)).alias(g) for g in groups]
            result = result.with_columns(
                *updates,
                pl.when(todo & hit).then(pl.lit(pattern.name)).otherwise(pl.col("_pattern")).alias("_pattern"),
                (pl.col("_matched") | hit).alias("_matched"),
            )
        return result, names

    def _extract_json(self, lines: pl.Series) -> tuple[pl.DataFrame, list[str]]:
        frame = pl.DataFrame({"line": lines})
        exprs = []
        names = []
        for column, key in self.spec.json_fields.items():
            path = "$." + key if key.replace("_", "").isalnum() else f"$['{key}']"
            name = column
            exprs.append(pl.col("line").str.json_path_match(path).alias(name))
            names.append(name)
        result = frame.with_columns(*exprs)
        is_object = pl.col("line").str.strip_chars().str.starts_with("{")
        result = result.with_columns(
            (is_object & pl.col("timestamp").is_not_null()).alias("_matched"),
            pl.lit("json").alias("_pattern"),
        )
        return result, names

    # -- parsing ---------------------------------------------------------------------
    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        tracker = ts.YearTracker() if self.spec.timestamp.year == "infer" else None
        pending: list[pl.DataFrame] = []  # year-less frames wait for the year anchor
        spill_dir: Path | None = None
        spilled: list[Path] = []
        line_no = 1
        for text in iter_text_chunks(source, ctx.chunk_bytes):
            lines = split_lines(text)
            frame = self.parse_lines(lines, line_no, ctx, tracker)
            line_no += lines.len()
            if tracker is None:
                yield frame
                continue
            pending.append(frame)
            if sum(f.estimated_size() for f in pending) > ctx.chunk_bytes * 4:
                # keep memory flat on big year-less files: park frames on disk
                if spill_dir is None:
                    spill_dir = Path(ctx.workdir) / f"spill-{ctx.id_prefix}-{id(self)}"
                    spill_dir.mkdir(parents=True, exist_ok=True)
                for pend in pending:
                    path = spill_dir / f"{len(spilled):06d}.arrow"
                    pend.write_ipc(path)
                    spilled.append(path)
                pending.clear()
        if tracker is not None:
            reference = ctx.reference_time
            if reference is None:
                raise ValueError("year-less format needs ctx.reference_time")
            anchor = tracker.anchor(reference)
            last = anchor + tracker.max_roll
            span = f"{anchor}" if last == anchor else f"{anchor}-{last}"
            ctx.assume(f"{ctx.source_file}: no year in the timestamps; year {span} inferred "
                       f"from the reference time {reference.isoformat()}")
            for path in spilled:
                yield self._finish_years(pl.read_ipc(path, memory_map=False), anchor, ctx)
                path.unlink()
            for pend in pending:
                yield self._finish_years(pend, anchor, ctx)
            if spill_dir is not None:
                spill_dir.rmdir()
        if ctx.units and ctx.unparsed_count / ctx.units > WRONG_FORMAT_SHARE:
            ctx.warn(f"{ctx.source_file}: {ctx.unparsed_count} of {ctx.units} lines not "
                     f"understood as {self.name}; detection likely wrong")

    def _finish_years(self, frame: pl.DataFrame, anchor: int, ctx: ParseContext) -> pl.DataFrame:
        naive = ts.apply_years(pl.col("_naive"), pl.col("_roll"), anchor)
        frame = frame.with_columns(self._to_utc(naive, ctx).alias("timestamp"))
        return conform(frame.drop("_naive", "_roll"))

    def _to_utc(self, naive: pl.Expr, ctx: ParseContext) -> pl.Expr:
        zone = self.spec.timestamp.zone
        return ts.localize(naive, "UTC" if zone == "utc" else ctx.tz)

    def parse_lines(self, lines: pl.Series, first_line: int, ctx: ParseContext,
                    tracker: ts.YearTracker | None = None) -> pl.DataFrame:
        """One chunk of lines to events. Lines that give no event are reported to ctx."""
        spec = self.spec
        tspec = spec.timestamp
        ctx.units += lines.len()
        frame, names = self.extract(lines)
        frame = frame.with_columns(
            (pl.int_range(pl.len(), dtype=pl.Int64) + first_line).alias("source_line")
        )
        ts_text = pl.col(tspec.group)
        if tracker is not None:
            frame = frame.with_columns(ts.parse_naive(ts_text, tspec.formats, prefix_year=True).alias("_naive"))
            ok = pl.col("_naive").is_not_null()
        else:
            frame = frame.with_columns(ts.to_utc(ts_text, tspec, ctx.tz).alias("timestamp"))
            ok = pl.col("timestamp").is_not_null()
        self._report_unparsed(frame, ok, ctx)
        frame = frame.filter(pl.col("_matched") & ok)
        if tracker is not None:
            frame = frame.with_columns(tracker.assign(frame["_naive"]).alias("_roll"))
        frame = self._fields(frame, names, ctx)
        if tracker is None:
            return conform(frame)
        return frame

    def _report_unparsed(self, frame: pl.DataFrame, ok: pl.Expr, ctx: ParseContext) -> None:
        bad = frame.filter(~(pl.col("_matched") & ok)).select(
            "source_line", "line", "_matched",
        )
        for line_no, text, matched in bad.iter_rows():
            if not text.strip():
                reason = "empty line"
            elif matched:
                reason = "timestamp not understood"
            else:
                reason = f"matches no {self.name} pattern"
            ctx.add_unparsed(line_no, reason, text)

    def _fields(self, frame: pl.DataFrame, names: list[str], ctx: ParseContext) -> pl.DataFrame:
        spec = self.spec
        tspec = spec.timestamp
        columns = [n for n in names if n in FIELD_COLUMNS]
        extras = [n for n in names if n not in FIELD_COLUMNS and n != tspec.group]
        if spec.engine == "jsonl":
            extras = [n for n in names if n.startswith("extra.")]
        exprs: list[pl.Expr] = [pl.col(c) for c in columns]
        if "pid" in columns:
            exprs = [e for e in exprs if e.meta.output_name() != "pid"]
            exprs.append(pl.col("pid").cast(pl.Int64, strict=False))
        if "metric_value" in columns:
            exprs = [e for e in exprs if e.meta.output_name() != "metric_value"]
            exprs.append(pl.col("metric_value").cast(pl.Float64, strict=False))
        if "severity" in columns and spec.severity_map:
            exprs = [e for e in exprs if e.meta.output_name() != "severity"]
            exprs.append(pl.col("severity").replace_strict(spec.severity_map, default=None).alias("severity"))
            extras.append("severity_raw")
            frame = frame.with_columns(pl.col("severity").alias("severity_raw"))
        for column, value in spec.defaults.items():
            if column not in columns:
                exprs.append(pl.lit(value).alias(column))
            else:
                exprs = [e for e in exprs if e.meta.output_name() != column]
                exprs.append(pl.col(column).fill_null(pl.lit(value)).alias(column))
        keep = [c for c in ("timestamp", "_naive", "_roll") if c in frame.columns]
        out = frame.select(
            *[pl.col(k) for k in keep],
            pl.col("source_line"),
            pl.col("line").str.strip_chars().alias("raw"),
            *exprs,
            (pl.struct([pl.col(e).alias(e.removeprefix("extra.")) for e in extras]).struct.json_encode()
             if extras else pl.lit(None, dtype=pl.String)).alias("_extra"),
        )
        if "category" not in out.columns:
            out = out.with_columns(pl.lit(spec.category).alias("category"))
        for column in ("action", "outcome", "severity", "process", "message"):
            if column not in out.columns:
                out = out.with_columns(pl.lit(None, dtype=pl.String).alias(column))
        if "message" in names:
            pass
        else:
            out = out.with_columns(pl.col("raw").alias("message"))
        out = apply_rules(out, spec.rules)
        rule_extra = pl.col("_rule_extra") if "_rule_extra" in out.columns else pl.lit(None, dtype=pl.String)
        out = out.with_columns(
            pl.col("action").fill_null("log_line"),
            pl.col("outcome").fill_null("unknown"),
            pl.col("category").fill_null(spec.category),
            _merge_json(pl.col("_extra"), rule_extra).alias("extra"),
            pl.lit(self._quality).alias("timestamp_quality"),
            pl.lit(spec.name).alias("source_format"),
            pl.lit(ctx.source_file).alias("source_file"),
            (pl.lit(ctx.id_prefix + ":") + pl.col("source_line").cast(pl.String)).alias("event_id"),
        )
        drop = [c for c in ("_extra", "_rule_extra", "_rule") if c in out.columns]
        return out.drop(drop)


def _merge_json(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """Two JSON object strings (either may be null or "{}") as one object string."""
    left_body = left.str.strip_chars("{}")
    right_body = right.str.strip_chars("{}")
    both = left.is_not_null() & right.is_not_null() & (left_body != "") & (right_body != "")
    merged = pl.lit("{") + left_body + pl.lit(",") + right_body + pl.lit("}")
    single = pl.coalesce(
        pl.when(left_body != "").then(left),
        pl.when(right_body != "").then(right),
    )
    return pl.when(both).then(merged).otherwise(single)


def dumps_extra(values: dict) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=False)
