"""apache_error: httpd 2.2 and 2.4 error logs; Apache_2k checked line by line against loghub."""

from datetime import datetime, timezone

import polars as pl

from tests.parsers.parse_helpers import CORPUS, SAMPLES, line
from tests.parsers.text_formats import parse, parser_for

PARSER = parser_for("apache_error")
APACHE_2K = CORPUS / "apache" / "Apache_2k.log"


def test_apache_2k_matches_loghub_time_and_level_on_every_line():
    events, ctx = parse(PARSER, APACHE_2K, tz="UTC")
    assert (events.height, ctx.unparsed_count, ctx.units) == (2000, 0, 2000)
    truth = pl.read_csv(CORPUS / "apache" / "Apache_2k.log_structured.csv", infer_schema=False).select(
        pl.col("LineId").cast(pl.Int64).alias("source_line"),
        pl.col("Time").str.strptime(pl.Datetime("us"), "%a %b %d %H:%M:%S %Y")
        .dt.replace_time_zone("UTC").alias("truth_time"),
        pl.col("Level").alias("truth_level"),
    )
    joined = events.join(truth, on="source_line", how="inner")
    assert joined.height == 2000
    level = pl.col("extra").str.json_path_match("$.severity_raw")
    wrong = joined.filter((pl.col("timestamp") != pl.col("truth_time")) | (level != pl.col("truth_level")))
    assert wrong.height == 0, wrong.select("source_line", "raw").rows()[:5]
    assert events["severity"].value_counts().sort("severity").rows() == [("error", 595), ("notice", 1405)]


def test_apache_2k_client_errors_and_zone():
    events, ctx = parse(PARSER, APACHE_2K, tz="America/New_York")
    assert line(events, 1)["timestamp"] == datetime(2005, 12, 4, 9, 47, 44, tzinfo=timezone.utc)
    assert events["timestamp_quality"].unique().to_list() == ["tz_assumed"]
    assert any("America/New_York" in a for a in ctx.assumptions)
    denied = events.filter(pl.col("action") == "client_error")
    assert denied.height == 32 and denied["outcome"].unique().to_list() == ["failure"]
    row = line(events, 132)
    assert row["src_ip"] == "222.166.160.184"
    assert row["message"] == "Directory index forbidden by rule: /var/www/html/"
    assert line(events, 2)["severity"] == "error" and line(events, 2)["action"] == "log_line"


def test_synthetic_24_and_22_lines():
    events, ctx = parse(PARSER, SAMPLES / "apache_error" / "error_log")
    assert (events.height, ctx.unparsed_count) == (7, 1) and ctx.unparsed[0].line == 6
    start = line(events, 1)
    assert start["action"] == "service_start" and start["pid"] == 1200 and start["event_code"] == "AH00489"
    assert start["timestamp"] == datetime(2026, 11, 20, 10, 0, 0, 104210, tzinfo=timezone.utc)
    denied = line(events, 2)
    assert (denied["src_ip"], denied["event_code"], denied["outcome"]) == ("203.0.113.77", "AH01630", "failure")
    assert line(events, 5)["action"] == "crash"
    assert line(events, 7)["timestamp"] == datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)  # "Dec  1"
    assert line(events, 8)["action"] == "service_stop"
