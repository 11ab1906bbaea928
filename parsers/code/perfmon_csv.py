"""Windows PerfMon CSV (typeperf / relog -f csv, "PDH-CSV 4.0") -> metric_sample events."""

from __future__ import annotations

import re
from collections.abc import Iterator

import polars as pl

from parsers.base import ParseContext, Source, decode_text
from parsers.lines import split_lines
from parsers.schema import conform

# First header cell: "(PDH-CSV 4.0) (Pacific Standard Time)(480)"; 480 = minutes west of UTC.
PDH_HEADER = re.compile(r'^"?\(PDH-CSV (?P<version>[\d.]+)\)\s*\((?P<zone>[^)]*)\)\((?P<bias>-?\d+)\)')
# "\\HOST\Processor(_Total)\% Processor Time"
COUNTER = re.compile(r"^\\\\(?P<host>[^\\]+)\\(?P<object>[^\\(]+)(?:\((?P<instance>.*)\))?\\(?P<counter>.+)$")
# One CSV field: quoted (quotes doubled inside) or bare. A row is read only when the whole line
# is such fields: a row cut off inside a quote is reported alone instead of swallowing the file.
FIELD = r'"(?:[^"]|"")*"|[^",]*'
ROW = rf"^(?:{FIELD})(?:,(?:{FIELD}))*$"
TIME_FORMATS = ("%m/%d/%Y %H:%M:%S%.f", "%m/%d/%Y %H:%M:%S")
# (object, counter) -> (metric, scale, machine-wide instance only)
NORMALIZED = {
    ("processor", "% processor time"): ("cpu_busy_pct", 1.0, True),
    ("processor information", "% processor time"): ("cpu_busy_pct", 1.0, True),
    ("memory", "% committed bytes in use"): ("mem_used_pct", 1.0, False),
    ("paging file", "% usage"): ("swap_used_pct", 1.0, True),
    ("physicaldisk", "current disk queue length"): ("disk_queue", 1.0, False),
    ("physicaldisk", "avg. disk queue length"): ("disk_queue", 1.0, False),
    ("physicaldisk", "avg. disk sec/transfer"): ("latency_ms", 1000.0, False),
    ("processor", "% idle time"): (None, 1.0, True),
}


def metric_for(column: str) -> dict:
    """What a counter column becomes: metric name, scale, host and instance."""
    match = COUNTER.match(column)
    if not match:
        return {"metric": f"perfmon.{column}", "scale": 1.0, "host": None, "instance": None}
    obj, counter, instance = match["object"], match["counter"], match["instance"]
    metric, scale, total_only = NORMALIZED.get((obj.lower(), counter.lower()), (None, 1.0, False))
    if metric is None or (total_only and (instance or "").lower() != "_total"):
        metric, scale = f"perfmon.{obj}\\{counter}", 1.0
    return {"metric": metric, "scale": scale, "host": match["host"], "instance": instance}


def split_fields(lines: pl.Series) -> pl.Series:
    """Each line's CSV fields, unquoted (a list per line); meaningful for well-formed rows only."""
    # the leading comma makes every field match non-empty, so empty fields are kept in place
    cells = (pl.lit(",") + pl.col("line")).str.extract_all(rf",(?:{FIELD})").list.eval(
        pl.element().str.strip_prefix(",").pipe(
            lambda cell: pl.when(cell.str.starts_with('"'))
            .then(cell.str.slice(1, cell.str.len_chars() - 2).str.replace_all('""', '"', literal=True))
            .otherwise(cell)))
    return pl.DataFrame({"line": lines}).select(cells.alias("fields"))["fields"]


def unparsed_reason(raw: str, well_formed: bool) -> str:
    if not raw:
        return "empty line"
    if not well_formed:
        if raw.count('"') % 2:
            return "unclosed quote: the row is cut off mid-field"
        return "malformed CSV quoting"
    return "no time or no numeric counter value"


class PerfmonCsvParser:
    name = "perfmon_csv"

    def sniff(self, source: Source, head: bytes) -> float:
        return 0.95 if PDH_HEADER.match(decode_text(head[:400]).lstrip()) else 0.0

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        lines = split_lines(decode_text(source.read_bytes()))
        filled = (lines.str.strip_chars() != "").arg_true()
        first = int(filled[0]) if filled.len() else 0
        header = PDH_HEADER.match(lines[first].lstrip()) if filled.len() else None
        if header is None:
            ctx.warn(f"{ctx.source_file}: no PDH-CSV header; not read as PerfMon CSV")
            return
        bias = int(header["bias"])
        ctx.assume(f"{ctx.source_file}: PerfMon times are local to '{header['zone']}'; read with its "
                   f"header offset UTC{-bias / 60:+g} h (no daylight-saving change applied)")
        columns = split_fields(lines.slice(first, 1))[0].to_list()
        counters = columns[1:]
        rows = pl.DataFrame({"line": lines.slice(first + 1)}).with_columns(
            (pl.int_range(pl.len(), dtype=pl.Int64) + first + 2).alias("source_line"),
            pl.col("line").str.contains(ROW).alias("_well_formed"),
        )
        ctx.units += rows.height
        fields = split_fields(rows["line"])
        frame = rows.with_columns(
            [fields.list.get(i, null_on_oob=True).alias(name) for i, name in enumerate(columns)]
        )
        naive = pl.coalesce([pl.col(columns[0]).str.strip_chars().str.strptime(pl.Datetime("us"), f, strict=False)
                             for f in TIME_FORMATS])
        frame = frame.with_columns(
            pl.when(pl.col("_well_formed")).then(naive + pl.duration(minutes=bias))
            .dt.replace_time_zone("UTC").alias("timestamp"),
            pl.col("line").str.strip_chars().alias("raw"),
        )
        long = frame.unpivot(index=["source_line", "timestamp", "raw"], on=counters,
                             variable_name="column", value_name="text")
        long = long.with_columns(pl.col("text").str.strip_chars().cast(pl.Float64, strict=False).alias("value"))
        long = long.filter(pl.col("timestamp").is_not_null() & pl.col("value").is_not_null())
        good = long["source_line"].unique()
        bad = frame.filter(~pl.col("source_line").is_in(good.implode())).select("source_line", "raw", "_well_formed")
        for line, raw, well_formed in bad.iter_rows():
            ctx.add_unparsed(line, unparsed_reason(raw, well_formed), raw)
        if long.height == 0:
            return
        info = pl.DataFrame([{"column": c, **metric_for(c)} for c in counters],
                            schema={"column": pl.String, "metric": pl.String, "scale": pl.Float64,
                                    "host": pl.String, "instance": pl.String})
        long = long.join(info, on="column", how="left").with_row_index("_n")
        events = long.with_columns(
            (pl.col("source_line").cast(pl.String) + pl.lit(":") + pl.col("column")).alias("source_record"),
            pl.col("metric").alias("metric_name"),
            (pl.col("value") * pl.col("scale")).alias("metric_value"),
        ).with_columns(
            (pl.lit(ctx.id_prefix + ":") + pl.col("source_record")).alias("event_id"),
            (pl.col("metric_name") + pl.lit(" = ") + pl.col("metric_value").cast(pl.String)).alias("message"),
            pl.struct(pl.col("column").alias("counter"), pl.col("instance")).struct.json_encode().alias("extra"),
            pl.lit("exact").alias("timestamp_quality"), pl.lit(self.name).alias("source_format"),
            pl.lit(ctx.source_file).alias("source_file"), pl.lit("performance").alias("category"),
            pl.lit("metric_sample").alias("action"), pl.lit("unknown").alias("outcome"),
        )
        yield conform(events.sort("source_line", "_n"))
