"""sadf: `sadf -d` and `sadf -p` exports. Several metric events per row: accounting by line."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timezone

import polars as pl
import pytest

from parsers.code.sadf import SadfParser
from tests.parsers.parse_helpers import CORPUS, SAMPLES, assert_line_accounting, by_id, run

SAMPLE = SAMPLES / "sadf" / "web-01.sadf-d.csv"


def test_sample_export(tmp_path):
    events, ctx = run(SadfParser(), SAMPLE, tmp_path, tz="Europe/Rome")
    busy = by_id(events, ctx, "3:%idle")
    assert busy["metric_name"] == "cpu_busy_pct" and busy["metric_value"] == pytest.approx(98.6)
    assert busy["timestamp"] == datetime(2026, 11, 22, 10, 0, 1, tzinfo=timezone.utc)
    assert busy["timestamp_quality"] == "exact" and busy["host"] == "web-01"
    assert by_id(events, ctx, "4:restart")["action"] == "boot"
    assert by_id(events, ctx, "5:%idle")["metric_name"] == "sar.%idle"  # CPU 0, not the total
    assert by_id(events, ctx, "8:%memused")["metric_name"] == "mem_used_pct"
    assert by_id(events, ctx, "10:ldavg-1")["metric_value"] == 7.92  # CRLF row
    assert by_id(events, ctx, "11:await")["metric_name"] == "latency_ms"  # a -p line
    assert [u.line for u in ctx.unparsed] == [6]
    assert_line_accounting(events, ctx)


@pytest.mark.skipif(shutil.which("sadf") is None, reason="sysstat not installed")
@pytest.mark.parametrize("mode", ["-d", "-p"])
def test_real_export_matches_sadf(tmp_path, mode):
    out = subprocess.run(["sadf", mode, str(CORPUS / "sar" / "data-12.0.0.sa"), "--", "-A"],
                         capture_output=True, check=True, env={"LC_ALL": "C", "TZ": "UTC"}).stdout
    path = tmp_path / f"export{mode}.txt"
    path.write_bytes(out)
    events, ctx = run(SadfParser(), path, tmp_path)
    data = [line for line in out.decode().splitlines() if line and not line.startswith("#")]
    assert ctx.units == len(data)
    assert events["timestamp"].min() == datetime(2019, 6, 30, 5, 39, 21, tzinfo=timezone.utc)
    assert events["timestamp"].max() == datetime(2019, 6, 30, 5, 39, 34, tzinfo=timezone.utc)
    cpu = events.filter(pl.col("metric_name") == "cpu_busy_pct")
    assert cpu.height == 1 and cpu["metric_value"][0] == pytest.approx(1.0)
    assert_line_accounting(events, ctx)
