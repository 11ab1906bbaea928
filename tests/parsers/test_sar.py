"""sar: the sysstat test-suite reports (24 h) and a synthetic AM/PM report crossing midnight.

One sample row gives one metric_sample per numeric column, so the accounting counts lines:
units = sample rows (+ LINUX RESTART / COM rows), events are counted by distinct source_line."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import polars as pl
import pytest

from parsers.base import Source
from parsers.code.sar import SarParser, header_date
from tests.parsers.parse_helpers import CORPUS, SAMPLES, assert_line_accounting, by_id, run

SAR = CORPUS / "sar"
TIME_ROW = re.compile(r"^(\d{2}):(\d{2}):(\d{2})\s+(.*)$")


def sample_rows(path) -> list[tuple[int, str]]:
    """Second reader: (line, HH:MM:SS) of rows holding a number under a time of day."""
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = TIME_ROW.match(line)
        if match and (any(re.fullmatch(r"-?\d+(\.\d+)?", t) for t in match[4].split())
                      or match[4].startswith(("LINUX RESTART", "COM "))):
            rows.append((number, line[:8]))
    return rows


@pytest.mark.parametrize("name, day", [("data-12.0.0.sar-AC.txt", (2019, 6, 30)),
                                        ("data-10.3.1.sar-CA.txt", (2017, 1, 21))])
def test_corpus_rows_and_span(tmp_path, name, day):
    path = SAR / name
    events, ctx = run(SarParser(), path, tmp_path, tz="UTC")
    rows = sample_rows(path)
    assert ctx.units == len(rows)
    assert sorted(events["source_line"].unique().to_list()) == [n for n, _ in rows]
    assert ctx.unparsed_count == 0
    times = sorted(t for _, t in rows)
    first = datetime(*day, *map(int, times[0].split(":")), tzinfo=timezone.utc)
    last = datetime(*day, *map(int, times[-1].split(":")), tzinfo=timezone.utc)
    assert events["timestamp"].min() == first and events["timestamp"].max() == last
    assert_line_accounting(events, ctx)


def test_corpus_normalized_metrics(tmp_path):
    events, ctx = run(SarParser(), SAR / "data-12.0.0.sar-AC.txt", tmp_path, tz="UTC")
    busy = by_id(events, ctx, "6:%idle")
    assert busy["metric_name"] == "cpu_busy_pct" and busy["metric_value"] == pytest.approx(1.0)
    assert json.loads(busy["extra"]) == {"counter": "%idle", "instance": "all", "derived": "100 - %idle"}
    assert busy["host"] == "linux.home" and busy["category"] == "performance"
    assert by_id(events, ctx, "47:%memused")["metric_name"] == "mem_used_pct"
    assert by_id(events, ctx, "47:%memused")["metric_value"] == 29.35
    assert by_id(events, ctx, "52:%swpused")["metric_name"] == "swap_used_pct"
    assert by_id(events, ctx, "67:ldavg-1")["metric_value"] == 0.15
    assert by_id(events, ctx, "72:aqu-sz")["metric_name"] == "disk_queue"
    assert by_id(events, ctx, "72:await")["metric_name"] == "latency_ms"
    # per-CPU rows keep the raw counter, so cpu_busy_pct is one series per host
    assert by_id(events, ctx, "7:%idle")["metric_name"] == "sar.%idle"
    assert json.loads(by_id(events, ctx, "7:%idle")["extra"])["instance"] == "0"
    boot = by_id(events, ctx, "3:restart")
    assert boot["action"] == "boot" and boot["timestamp"] == datetime(2019, 6, 30, 5, 39, 21, tzinfo=timezone.utc)


def test_ampm_midnight_and_zone(tmp_path):
    events, ctx = run(SarParser(), SAMPLES / "sar" / "web-01.sar.txt", tmp_path, tz="Europe/Rome")
    assert by_id(events, ctx, "4:%idle")["timestamp"] == datetime(2026, 11, 22, 22, 50, 1, tzinfo=timezone.utc)
    after = by_id(events, ctx, "6:%idle")  # 12:00:01 AM: next day
    assert after["timestamp"] == datetime(2026, 11, 22, 23, 0, 1, tzinfo=timezone.utc)
    assert after["metric_value"] == pytest.approx(98.6)
    assert after["timestamp_quality"] == "tz_assumed"
    assert by_id(events, ctx, "12:%memused")["metric_value"] == 97.2
    assert by_id(events, ctx, "18:ldavg-1")["metric_name"] == "load_1m"
    assert by_id(events, ctx, "19:restart")["timestamp"] == datetime(2026, 11, 22, 23, 5, 12, tzinfo=timezone.utc)
    assert by_id(events, ctx, "20:ldavg-1")["metric_value"] == 0.8  # CRLF row
    assert by_id(events, ctx, "24:await")["metric_value"] == 131.7
    assert [u.line for u in ctx.unparsed] == [13]
    assert events.filter(pl.col("source_line") == 8).height == 0  # Average: is not a sample
    assert any("Europe/Rome" in a for a in ctx.assumptions)
    assert_line_accounting(events, ctx)


def test_rows_without_header_are_unparsed(tmp_path):
    path = tmp_path / "sar.txt"
    path.write_text("10:00:01 all 1.0 2.0\n")
    events, ctx = run(SarParser(), path, tmp_path)
    assert events.height == 0 and ctx.unparsed_count == ctx.units == 1


def test_header_dates():
    assert header_date("06/30/19").isoformat() == "2019-06-30"
    assert header_date("11/22/2026").isoformat() == "2026-11-22"
    assert header_date("2026-11-22").isoformat() == "2026-11-22"
    assert header_date("22/11/2026").isoformat() == "2026-11-22"


def test_sniff():
    path = SAR / "data-12.0.0.sar-AC.txt"
    assert SarParser().sniff(Source(path, path.name), path.read_bytes()[:65536]) > 0.9
    assert SarParser().sniff(Source(path, "x"), b"Jun 14 15:16:01 combo sshd[1]: x\n") == 0.0
