"""Performance samples -> metric_sample events: counter names normalized, one event per value."""

from __future__ import annotations

import json

import polars as pl

from parsers.base import ParseContext
from parsers.schema import conform
from parsers import timestamps as ts

TOTAL_INSTANCES = ("all", "-1", "_total", "_Total")
# (source counter, needs the machine-wide instance) -> normalized metric; checks filter on these.
NORMALIZED = {
    "%idle": ("cpu_busy_pct", True), "%iowait": ("iowait_pct", True),
    "%memused": ("mem_used_pct", False), "%swpused": ("swap_used_pct", False),
    "ldavg-1": ("load_1m", False), "aqu-sz": ("disk_queue", False),
    "avgqu-sz": ("disk_queue", False), "await": ("latency_ms", False),
}


def normalized_metric(counter: pl.Expr, instance: pl.Expr, prefix: str) -> pl.Expr:
    is_total = instance.is_null() | instance.is_in(TOTAL_INSTANCES)
    expr = None
    for source, (metric, total_only) in NORMALIZED.items():
        cond = (counter == source) & is_total if total_only else counter == source
        expr = (pl.when(cond) if expr is None else expr.when(cond)).then(pl.lit(metric))
    return expr.otherwise(pl.lit(prefix) + counter)


def sample_events(samples: dict[str, list], ctx: ParseContext, fmt: str, prefix: str,
                  zone: str | None, text_lines: bool = True) -> pl.DataFrame:
    """Samples (columns: line, record, naive or utc time, counter, instance, value, host) ->
    conformed events. zone None: `time` is already UTC; else naive wall-clock in that zone."""
    frame = pl.DataFrame(samples, schema={
        "line": pl.Int64, "record": pl.String, "time": pl.Datetime("us", "UTC") if zone is None else pl.Datetime("us"),
        "counter": pl.String, "instance": pl.String, "value": pl.Float64, "host": pl.String,
        "action": pl.String, "message": pl.String, "raw": pl.String,
    })
    time = pl.col("time") if zone is None else ts.localize(pl.col("time"), zone)
    metric = normalized_metric(pl.col("counter"), pl.col("instance"), prefix)
    is_metric = pl.col("action") == "metric_sample"
    frame = frame.with_columns(
        time.alias("timestamp"),
        pl.when(is_metric).then(metric).alias("metric_name"),
    ).with_columns(
        pl.when(pl.col("metric_name") == "cpu_busy_pct").then(100.0 - pl.col("value"))
        .otherwise(pl.col("value")).round(6).alias("metric_value"),
    )
    extra = pl.struct(
        pl.col("counter"), pl.col("instance"),
        pl.when(pl.col("metric_name") == "cpu_busy_pct").then(pl.lit("100 - %idle")).alias("derived"),
    ).struct.json_encode()
    frame = frame.with_columns(
        pl.col("line").alias("source_line") if text_lines else pl.lit(None, dtype=pl.Int64).alias("source_line"),
        pl.col("record").alias("source_record"),
        (pl.lit(ctx.id_prefix + ":") + pl.col("record")).alias("event_id"),
        pl.when(is_metric).then(pl.lit("performance")).otherwise(pl.lit("system")).alias("category"),
        pl.lit("unknown").alias("outcome"),
        pl.coalesce(pl.col("message"),
                    pl.col("metric_name") + pl.lit(" = ") + pl.col("metric_value").cast(pl.String)
                    + pl.when(pl.col("instance").is_not_null()).then(pl.lit(" (") + pl.col("instance") + pl.lit(")"))
                    .otherwise(pl.lit(""))).alias("message"),
        pl.when(is_metric).then(extra).alias("extra"),
        pl.lit("exact" if zone is None else "tz_assumed").alias("timestamp_quality"),
        pl.lit(fmt).alias("source_format"),
        pl.lit(ctx.source_file).alias("source_file"),
    )
    return conform(frame)


class SampleBuffer:
    """Rows collected by a line loop, in the columns sample_events takes."""

    def __init__(self) -> None:
        self.columns: dict[str, list] = {k: [] for k in (
            "line", "record", "time", "counter", "instance", "value", "host", "action", "message", "raw")}

    def add(self, line: int, record: str, time, counter: str | None, instance: str | None,
            value: float | None, host: str | None, raw: str, action: str = "metric_sample",
            message: str | None = None) -> None:
        for key, item in (("line", line), ("record", record), ("time", time), ("counter", counter),
                          ("instance", instance), ("value", value), ("host", host),
                          ("action", action), ("message", message), ("raw", raw)):
            self.columns[key].append(item)

    def __len__(self) -> int:
        return len(self.columns["line"])


def as_number(token: str) -> float | None:
    try:
        return float(token.replace(",", "."))
    except ValueError:
        return None


def dumps(values: dict) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=False)
