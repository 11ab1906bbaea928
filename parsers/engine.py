"""The spec engines: a text or JSON-lines spec applied to all lines of a chunk at once."""

from __future__ import annotations

import fnmatch
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import polars as pl

from parsers.base import ParseContext, RestartParse, Source, decode_text, iter_text_chunks, provenance
from parsers.lines import (anchored, decode_byte_arrays, extract_groups, hex_text, is_pretty_json,
                           nul_padding_line, pretty_json_objects, split_lines)
from parsers.rules import apply_rules, join_bodies_of, json_body_of
from parsers.schema import conform
from parsers.spec import FIELD_COLUMNS, FormatSpec
from parsers import timestamps as ts

SNIFF_LINES = 200
# Bytes read at each end of a year-less file to estimate its first year.
EDGE_BYTES = 65536
WORKERS = int(__import__("os").environ.get("CASELINE_WORKERS", "2"))
# Chunks queued beyond one per worker, so that a worker finds the next chunk ready while the
# main thread is busy settling and writing (one more chunk in memory).
AHEAD = 1
# rsyslog's repeat reduction: "message repeated 3 times: [ <the message>]"
REPEAT_PREFIX = "message repeated "
REPEAT_WRAPPER = r"^message repeated (?P<count>\d+) times: \[ ?(?P<inner>.*)\]$"
# Warn that detection is likely wrong when more than this share of a file is unparsed.
WRONG_FORMAT_SHARE = 0.5


@lru_cache(maxsize=4)
def sniff_lines(head: bytes) -> pl.Series:
    """The first lines of a file's head, as every format's sniff reads them (split once per
    file, not once per format). decode_text: a UTF-16 export (with BOM) must be recognised
    as the parse reads it."""
    text = decode_text(head)
    if len(head) >= 65536:
        text = text[: text.rfind("\n") + 1] or text
    return split_lines(text).head(SNIFF_LINES)


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
        """Share of the non-empty lines that a pattern of the format reads."""
        lines = lines.filter(lines.str.strip_chars() != "")
        if lines.len() == 0:
            return 0.0
        if self.spec.engine == "jsonl":
            if not lines.str.strip_chars_start().str.starts_with("{").any():
                return 0.0  # no JSON object: nothing to extract
            frame, _ = self.extract(lines)
            return frame["_matched"].sum() / lines.len()
        # a match test per pattern (no captures): every format sniffs every file
        matched = pl.select(pl.any_horizontal([pl.lit(lines).str.contains(p) for p in self._anchored])).to_series()
        return matched.sum() / lines.len()

    def sniff(self, source: Source, head: bytes) -> float:
        lines = sniff_lines(head)
        if self.spec.engine == "jsonl" and is_pretty_json(head):
            objects = list(pretty_json_objects([decode_text(head)]))
            lines = objects[0][0].head(SNIFF_LINES) if objects else lines
        share = self.share_matched(lines)
        if share < self.spec.min_share:
            return 0.0
        # a name hint only breaks ties between formats that read the content equally well
        return min(1.0, share * 0.9 + (0.1 if name_hint(self.spec, source) else 0.0))

    # -- extraction ------------------------------------------------------------------
    def extract(self, lines: pl.Series) -> tuple[pl.DataFrame, list[str]]:
        """Named groups of the first pattern that matches each line, plus `_matched`.
        Returns the frame and the union of group names."""
        if self.spec.engine == "jsonl":
            return self._extract_json(lines)
        names: list[str] = []
        for pattern in self.spec.patterns:
            for group in pattern.regex.groupindex:
                if group not in names:
                    names.append(group)
        ts_group = self.spec.timestamp.group
        result = None
        for pattern, regex in zip(self.spec.patterns, self._anchored):
            if result is None:
                # the timestamp group is in every pattern: non-null exactly when the line matched
                result = pl.concat([pl.DataFrame({"line": lines}), extract_groups(lines, pattern.source)],
                                   how="horizontal")
                result = result.with_columns(
                    *[pl.lit(None, dtype=pl.String).alias(n) for n in names if n not in result.columns],
                    pl.col(ts_group).is_not_null().alias("_matched"),
                )
                continue
            todo = (~result["_matched"]).arg_true()
            if todo.len() == 0:
                break
            # later patterns only see the lines the earlier ones left
            found = extract_groups(result["line"].gather(todo), pattern.source)
            hit = found[ts_group].is_not_null()
            rows = todo.filter(hit)
            found = found.filter(hit)
            if rows.len() == 0:
                continue
            columns = {g: result[g].scatter(rows, found[g]) for g in pattern.regex.groupindex}
            columns["_matched"] = result["_matched"].scatter(rows, True)
            result = result.with_columns(**columns)
        return result, names

    def _extract_json(self, lines: pl.Series) -> tuple[pl.DataFrame, list[str]]:
        frame = pl.DataFrame({"line": lines})
        exprs = []
        names = []
        for column, keys in self.spec.json_fields.items():
            paths = ["$." + k if k.replace("_", "").isalnum() else f"$['{k}']" for k in keys]
            values = [pl.col("line").str.json_path_match(p) for p in paths]
            exprs.append((pl.coalesce(values) if len(values) > 1 else values[0]).alias(column))
            names.append(column)
        result = decode_byte_arrays(frame.with_columns(*exprs), names)
        is_object = pl.col("line").str.strip_chars().str.starts_with("{")
        result = result.with_columns(
            (is_object & pl.col("timestamp").is_not_null()).alias("_matched"),
        )
        return result, names

    # -- parsing ---------------------------------------------------------------------
    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        tracker = ts.YearTracker() if self.spec.timestamp.year == "infer" else None
        if self.spec.timestamp.zone == "local":
            ctx.assume(f"{ctx.source_file}: no zone in the file, read as {ctx.tz}")
        anchor = None
        if tracker is not None:
            if ctx.reference_time is None:
                raise ValueError("a year-less format needs ctx.reference_time")
            anchor = ctx.year_anchor if ctx.year_anchor is not None else self._estimate_anchor(source, ctx)
        padded = []  # first lines of NUL runs, in file order
        for good, bad, count, padding in self._transformed_chunks(source, ctx):
            if padding is not None:
                padded.append(padding)
            frame = self._settle(good, bad, count, ctx, tracker)
            yield frame if tracker is None else self._finish_years(frame, anchor, ctx)
        if padded:
            more = f" (and in {len(padded) - 1} later chunk(s))" if len(padded) > 1 else ""
            ctx.warn(f"{ctx.source_file}: a run of NUL bytes at line {padded[0]}{more}, what an unclean "
                     "shutdown leaves in a log, was skipped; the text after it on the same line was read")
        if tracker is not None:
            # the estimate from the file's first and last lines is right unless the file
            # spans more than a year or ends out of order; then the caller reads it again
            true_anchor = tracker.anchor(ctx.reference_time)
            if true_anchor != anchor:
                raise RestartParse(f"year anchor {anchor} -> {true_anchor}", year_anchor=true_anchor)
            last = anchor + tracker.max_roll
            span = f"{anchor}" if last == anchor else f"{anchor}-{last}"
            reference = ctx.reference_label or f"the reference time {ctx.reference_time.isoformat()}"
            ctx.assume(f"{ctx.source_file}: no year in the timestamps; year {span} inferred from {reference}")
        if ctx.units and ctx.unparsed_count / ctx.units > WRONG_FORMAT_SHARE:
            ctx.warn(f"{ctx.source_file}: {ctx.unparsed_count} of {ctx.units} lines not "
                     f"understood as {self.name}; detection likely wrong")

    def _estimate_anchor(self, source: Source, ctx: ParseContext) -> int:
        """The first line's year, from the first and last lines of the file: one New Year
        between them when the last falls earlier in the year than the first.

        A compressed file's last lines cost a whole decompression before the parse does
        another: its modification time (the last write, which logrotate, tar and zip keep)
        stands in for them. Where it misleads, the count at the end of the parse catches it
        and the file is read again (RestartParse), as for any wrong estimate."""
        head = source.head(EDGE_BYTES)
        tail = None if source.compression else source.tail(EDGE_BYTES)
        tracker = ts.YearTracker()
        codec = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be" if head.startswith(b"\xfe\xff") else None
        for part in (head,) if tail is None else (head, tail):
            if codec and part is tail:
                # the tail starts after a b"\n" byte; in UTF-16LE the newline's zero byte follows
                part = tail[1:] if codec == "utf-16-le" and tail[:1] == b"\x00" else tail
            text = decode_text(part) if part is head or codec is None else part.decode(codec, errors="replace")
            # the times alone: fields and rules are not needed to place the year
            frame, _ = self.extract(split_lines(text))
            naive = self._stamps(frame, ctx)
            naive = naive.filter(frame["_matched"] & naive.is_not_null())
            if naive.len():
                tracker.assign(naive)
        if source.compression:
            written = datetime.fromtimestamp(source.path.stat().st_mtime, ZoneInfo(ctx.tz))
            # a file written after the reference time (copied or collected later) says nothing
            # of its last line, which the year inference places at the reference time or before
            if written <= ctx.reference_time:
                tracker.assign(pl.Series([written.replace(tzinfo=None, year=ts.PROVISIONAL_YEAR)], dtype=ts.NAIVE))
        return tracker.anchor(ctx.reference_time)

    def _finish_years(self, frame: pl.DataFrame, anchor: int, ctx: ParseContext) -> pl.DataFrame:
        naive = ts.years_for(frame, anchor)
        frame = frame.with_columns(self._to_utc(naive, ctx).alias("timestamp"))
        return conform(frame.drop("_naive", "_roll"))

    def _to_utc(self, naive: pl.Expr, ctx: ParseContext) -> pl.Expr:
        zone = self.spec.timestamp.zone
        return ts.localize(naive, "UTC" if zone == "utc" else ctx.tz)

    def _transformed_chunks(self, source: Source, ctx: ParseContext):
        """(events, rejects, line count) per chunk, in file order; chunks are
        transformed two at a time on worker threads."""
        if self.spec.engine == "jsonl" and is_pretty_json(source.head(4096)):
            yield from self._pretty_chunks(source, ctx)
            return
        with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="parse-chunk") as pool:
            in_flight: deque = deque()
            line_no = 1
            for text in iter_text_chunks(source, ctx.chunk_bytes, ctx.on_bytes):
                in_flight.append(pool.submit(self._transform_text, text, line_no, ctx))
                line_no += text.count("\n") + (0 if text.endswith("\n") else 1)
                if len(in_flight) > WORKERS + AHEAD:
                    yield in_flight.popleft().result()
            while in_flight:
                yield in_flight.popleft().result()

    def _pretty_chunks(self, source: Source, ctx: ParseContext):
        """As _transformed_chunks, for pretty-printed JSON (journalctl -o json-pretty): one
        unit per object, each event citing the line its object starts on."""
        for objects, starts in pretty_json_objects(iter_text_chunks(source, ctx.chunk_bytes, ctx.on_bytes)):
            good, bad, count = self._transform(objects.alias("line"), 1, ctx)
            at = pl.lit(pl.Series(starts)).gather(pl.col("source_line") - 1)
            yield good.with_columns(at.alias("source_line")), bad.with_columns(at.alias("source_line")), count, None

    def _transform_text(self, text: str, first_line: int, ctx: ParseContext):
        """_transform of a chunk's text, and the line where NUL padding starts in it (or None)."""
        return (*self._transform(split_lines(text), first_line, ctx), nul_padding_line(text, first_line))

    def _transform(self, lines: pl.Series, first_line: int, ctx: ParseContext):
        """The pure part of parsing a chunk (safe on a worker thread: reads ctx, never writes)."""
        tspec = self.spec.timestamp
        frame, names = self.extract(lines)
        frame = frame.with_columns(
            (pl.int_range(pl.len(), dtype=pl.Int64) + first_line).alias("source_line")
        )
        stamp = "_naive" if tspec.year == "infer" else "timestamp"
        frame = frame.with_columns(self._stamps(frame, ctx).alias(stamp))
        ok = pl.col(stamp).is_not_null()
        good = pl.col("_matched") & ok
        bad = frame.filter(~good).select("source_line", "line", "_matched")
        frame = self._fields(frame.filter(good), names, ctx)
        return frame, bad, lines.len()

    def _stamps(self, frame: pl.DataFrame, ctx: ParseContext) -> pl.Series:
        """The times of extracted lines: UTC, or provisional-year naive times when the format
        has no year."""
        tspec = self.spec.timestamp
        return ts.parse_series(frame[tspec.group], tspec, ctx.tz, prefix_year=tspec.year == "infer")

    def _settle(self, frame: pl.DataFrame, bad: pl.DataFrame, count: int, ctx: ParseContext,
                tracker: ts.YearTracker | None) -> pl.DataFrame:
        """The sequential part: accounting, unparsed lines, New Year rollovers."""
        ctx.units += count
        self._report_unparsed(bad, ctx)
        if tracker is None:
            return conform(frame)
        return frame.with_columns(tracker.assign(frame["_naive"]).alias("_roll"))

    def _report_unparsed(self, bad: pl.DataFrame, ctx: ParseContext) -> None:
        for line_no, text, matched in bad.iter_rows():
            if not text.strip():
                reason = "empty line"
            elif matched:
                reason = "timestamp not understood"
            else:
                reason = f"matches no {self.name} pattern"
            ctx.add_unparsed(line_no, reason, text)

    def _apply_rules(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The spec's rules; with unwrap_repeats, on the message inside rsyslog's repeat
        wrapper, whose count joins extra as `repeated` (the message stays as written)."""
        if not (self.spec.unwrap_repeats and self.spec.rules):
            return apply_rules(frame, self.spec.rules)
        wrapped = frame["message"].str.starts_with(REPEAT_PREFIX).fill_null(False)
        if not wrapped.any():
            return apply_rules(frame, self.spec.rules)
        parts = frame["message"].str.extract_groups(REPEAT_WRAPPER).struct.unnest()
        hit = parts["count"].is_not_null()
        repeated = pl.when(pl.lit(hit)).then(pl.lit('"repeated":"') + pl.lit(parts["count"]) + pl.lit('"'))
        unwrapped = frame.with_columns(
            pl.when(pl.lit(hit)).then(pl.lit(parts["inner"])).otherwise(pl.col("message")).alias("message"),
            pl.concat_str([pl.col("_extra"), repeated], separator=",", ignore_nulls=True).alias("_extra"),
        ).with_columns(pl.when(pl.col("_extra") != "").then(pl.col("_extra")).alias("_extra"))
        return apply_rules(unwrapped, self.spec.rules).with_columns(frame["message"])

    def _decode_hex(self, frame: pl.DataFrame, names: list[str]) -> tuple[pl.DataFrame, list[str]]:
        """Each [hex] group decoded into its target (where the target has no value of its
        own); the group keeps only what did not decode, so nothing is lost."""
        names = list(names)
        for group, target in self.spec.hex_fields.items():
            decoded = pl.lit(hex_text(frame[group]))
            own = pl.col(target) if target in frame.columns else None
            frame = frame.with_columns(
                (decoded if own is None else own.fill_null(decoded)).alias(target),
                pl.when(decoded.is_null()).then(pl.col(group)).alias(group),
            )
            if target not in names:
                names.append(target)
        return frame, names

    def _fields(self, frame: pl.DataFrame, names: list[str], ctx: ParseContext) -> pl.DataFrame:
        """Pattern groups to schema columns (one expression per column, later steps replacing
        earlier ones), the other groups to `extra`, then the rules and the provenance."""
        spec = self.spec
        if spec.hex_fields:
            frame, names = self._decode_hex(frame, names)
        if spec.engine == "jsonl":
            extras = [n for n in names if n.startswith("extra.")]
        else:
            extras = [n for n in names if n not in FIELD_COLUMNS and n != spec.timestamp.group]
        fields: dict[str, pl.Expr] = {c: pl.col(c) for c in names if c in FIELD_COLUMNS}
        if "pid" in fields:
            fields["pid"] = pl.col("pid").cast(pl.Int64, strict=False)
        if "metric_value" in fields:
            fields["metric_value"] = pl.col("metric_value").cast(pl.Float64, strict=False)
        if "severity" in fields and spec.severity_map:
            fields["severity"] = pl.col("severity").replace_strict(spec.severity_map, default=None)
            frame = frame.with_columns(pl.col("severity").alias("severity_raw"))
            extras.append("severity_raw")
        if spec.metrics:
            metric_groups = {m.group for m in spec.metrics}
            extras = [e for e in extras if e not in metric_groups]
            fields["metric_name"] = pl.coalesce([pl.when(pl.col(m.group).is_not_null()).then(pl.lit(m.name))
                                                 for m in spec.metrics])
            fields["metric_value"] = pl.coalesce([pl.col(m.group).cast(pl.Float64, strict=False) * m.scale
                                                  for m in spec.metrics])
        for column, value in spec.defaults.items():
            fields[column] = fields[column].fill_null(pl.lit(value)) if column in fields else pl.lit(value)
        fields.setdefault("category", pl.lit(spec.category))
        for column in ("action", "outcome", "severity", "process"):
            fields.setdefault(column, pl.lit(None, dtype=pl.String))
        fields.setdefault("message", pl.col("line"))  # no message group: the whole line
        keep = [c for c in ("timestamp", "_naive", "_roll") if c in frame.columns]
        out = frame.select(
            *keep, "source_line", pl.col("line").alias("raw"),
            *[expr.alias(column) for column, expr in fields.items()],
            (json_body_of(frame, extras, [e.removeprefix("extra.") for e in extras])
             if extras else pl.lit(None, dtype=pl.String)).alias("_extra"),
        )
        out = self._apply_rules(out)
        out = out.with_columns(
            pl.col("action").fill_null("log_line"),
            pl.col("outcome").fill_null("unknown"),
            pl.col("category").fill_null(spec.category),
            join_bodies_of(out, ["_extra", "_rule_extra"]).alias("extra"),
            pl.lit(self._quality).alias("timestamp_quality"),
            *provenance(ctx, spec.name),
        )
        drop = [c for c in ("_extra", "_rule_extra", "_rule") if c in out.columns]
        return out.drop(drop)
