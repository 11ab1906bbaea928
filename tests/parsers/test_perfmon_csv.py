"""perfmon_csv: a synthetic typeperf export (PDH-CSV 4.0, CRLF, blank first samples).

Each data row gives one metric event per non-blank counter, so accounting counts lines."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from parsers.base import Source
from parsers.code.perfmon_csv import PerfmonCsvParser, metric_for
from tests.parsers.parse_helpers import SAMPLES, assert_line_accounting, by_id, run

SAMPLE = SAMPLES / "perfmon_csv" / "ws-ann.perfmon.csv"
TOTAL_CPU = "\\\\WS-ANN\\Processor(_Total)\\% Processor Time"


def test_sample(tmp_path):
    events, ctx = run(PerfmonCsvParser(), SAMPLE, tmp_path, tz="America/New_York")
    cpu = by_id(events, ctx, f"4:{TOTAL_CPU}")
    # header bias -60 (UTC+1): 09:00:31 local = 08:00:31 UTC whatever the case zone is
    assert cpu["timestamp"] == datetime(2026, 11, 22, 8, 0, 31, 125000, tzinfo=timezone.utc)
    assert (cpu["metric_name"], cpu["metric_value"], cpu["host"]) == ("cpu_busy_pct", 97.9, "WS-ANN")
    assert json.loads(cpu["extra"]) == {"counter": TOTAL_CPU, "instance": "_Total"}
    latency = by_id(events, ctx, "4:\\\\WS-ANN\\PhysicalDisk(0 C:)\\Avg. Disk sec/Transfer")
    assert latency["metric_name"] == "latency_ms" and latency["metric_value"] == pytest.approx(145.0)
    assert by_id(events, ctx, "4:\\\\WS-ANN\\PhysicalDisk(_Total)\\Current Disk Queue Length")["metric_value"] == 12
    assert by_id(events, ctx, "3:\\\\WS-ANN\\Memory\\% Committed Bytes In Use")["metric_name"] == "mem_used_pct"
    # blank " " cells are missing samples, not zeros
    assert events.filter(events["source_line"] == 3).height == 3
    assert [u.line for u in ctx.unparsed] == [5, 6]
    assert ctx.units == 5
    assert_line_accounting(events, ctx)


def test_per_cpu_counter_keeps_its_name():
    info = metric_for("\\\\WS-ANN\\Processor(0)\\% Processor Time")
    assert info["metric"] == "perfmon.Processor\\% Processor Time" and info["instance"] == "0"


def test_sniff(tmp_path):
    assert PerfmonCsvParser().sniff(Source(SAMPLE, SAMPLE.name), SAMPLE.read_bytes()) > 0.9
    assert PerfmonCsvParser().sniff(Source(SAMPLE, "x.csv"), b'"Date","Value"\n') == 0.0


CUT_ROW = (
    '"(PDH-CSV 4.0) (W. Europe Standard Time)(-60)","\\\\WS-ANN\\Processor(_Total)\\% Processor Time",'
    '"\\\\WS-ANN\\Process(a,b)\\% Processor Time"\r\n'
    '"11/22/2026 09:00:01.000","3.5","1.0"\r\n'
    '"11/22/2026 09:00:16.000","4.5","2.0"\r\n'
    '"11/22/2026 09:00:3\r\n'
    '"11/22/2026 09:00:46.000","5.5",""\r\n'
    '\r\n'
    '"11/22/2026 09:01:01.000","6.5","3.0"\r\n'
)


def test_row_cut_mid_field_is_one_unparsed_line(tmp_path):
    """A row cut inside a quote used to make the CSV reader fail, and the whole file gave nothing."""
    path = tmp_path / "cut.csv"
    path.write_bytes(CUT_ROW.encode())
    events, ctx = run(PerfmonCsvParser(), path, tmp_path / "work")
    assert sorted(events["source_line"].unique().to_list()) == [2, 3, 5, 7]
    assert [(u.line, u.reason) for u in ctx.unparsed] == [
        (4, "unclosed quote: the row is cut off mid-field"), (6, "empty line")]
    assert ctx.unparsed[0].excerpt == '"11/22/2026 09:00:3'
    after = by_id(events, ctx, f"7:{TOTAL_CPU}")
    assert after["timestamp"] == datetime(2026, 11, 22, 8, 1, 1, tzinfo=timezone.utc)
    assert after["metric_value"] == 6.5
    # a comma inside a quoted header cell stays in the counter's name
    assert by_id(events, ctx, "3:\\\\WS-ANN\\Process(a,b)\\% Processor Time")["metric_value"] == 2.0
    assert events.filter(events["source_line"] == 5).height == 1
    assert ctx.units == 6
    assert_line_accounting(events, ctx)
