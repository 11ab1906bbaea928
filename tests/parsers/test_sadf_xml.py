"""sadf_xml: `sadf -x` exports. One event per value of a <timestamp>: accounting by line."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timezone

import polars as pl
import pytest

from parsers.base import Source
from parsers.code.sadf import SadfParser
from parsers.code.sadf_xml import SadfXmlParser
from parsers.registry import all_parsers, detect
from parsers.selfcheck import check_spec
from tests.parsers.parse_helpers import CORPUS, SAMPLES, assert_line_accounting, by_id, run

SAMPLE = SAMPLES / "sadf_xml" / "web-01.sadf-x.xml"
PARSER = SadfXmlParser()
NORMALIZED = ("cpu_busy_pct", "iowait_pct", "mem_used_pct", "swap_used_pct", "load_1m", "disk_queue", "latency_ms")


def test_spec_selfcheck():
    assert check_spec(all_parsers()["sadf_xml"].spec) == []


def test_detected_by_content():
    assert detect(Source(SAMPLE, "sos_commands/sar/export.xml")).parser.name == "sadf_xml"


def test_sample_export(tmp_path):
    events, ctx = run(PARSER, SAMPLE, tmp_path, tz="Europe/Rome")
    busy = by_id(events, ctx, "33:%idle:all")
    assert busy["metric_name"] == "cpu_busy_pct" and busy["metric_value"] == pytest.approx(98.7)
    assert busy["timestamp"] == datetime(2026, 11, 22, 10, 0, 1, tzinfo=timezone.utc)
    assert busy["timestamp_quality"] == "exact" and busy["host"] == "web-01" and busy["source_line"] == 33
    assert by_id(events, ctx, "33:%idle:0")["metric_name"] == "sar.%idle"  # CPU 0, not the total
    assert by_id(events, ctx, "33:%iowait:all")["metric_name"] == "iowait_pct"
    assert by_id(events, ctx, "33:%memused")["metric_value"] == 97.2
    assert by_id(events, ctx, "33:%memused")["metric_name"] == "mem_used_pct"
    assert by_id(events, ctx, "33:%swpused")["metric_name"] == "swap_used_pct"
    assert by_id(events, ctx, "33:ldavg-1")["metric_name"] == "load_1m"
    assert by_id(events, ctx, "33:aqu-sz:sda")["metric_value"] == 6.4
    # avgqu-sz repeats aqu-sz under its old name: one disk_queue per device and time
    at_ten = events.filter(pl.col("source_line") == 33)
    assert at_ten.filter(pl.col("metric_name") == "disk_queue").height == 1
    boot = by_id(events, ctx, "67:restart")
    assert boot["action"] == "boot" and boot["timestamp"] == datetime(2026, 11, 22, 10, 5, 12, tzinfo=timezone.utc)
    assert by_id(events, ctx, "70:comment")["message"] == "kernel upgrade & reboot by ops"
    assert [(u.line, u.reason) for u in ctx.unparsed] == [(48, "timestamp element without a readable date and time")]
    assert ctx.units == 6  # four <timestamp>, one <boot>, one <comment>
    assert_line_accounting(events, ctx)


def test_truncated_export_keeps_what_was_read(tmp_path):
    data = SAMPLE.read_bytes()
    cut = data.index(b"<queue", data.index(b'time="10:00:01"'))
    path = tmp_path / "cut.xml"
    path.write_bytes(data[:cut])
    events, ctx = run(PARSER, path, tmp_path)
    assert any("ends early" in w for w in ctx.warnings)
    assert by_id(events, ctx, "18:%idle:all")["metric_value"] == pytest.approx(3.65)
    assert by_id(events, ctx, "33:%memused")["metric_value"] == 97.2  # read before the cut
    assert ctx.units == 2
    assert_line_accounting(events, ctx)


def test_local_times_take_the_case_zone(tmp_path):
    path = tmp_path / "local.xml"
    path.write_text('<sysstat><host nodename="h"><statistics>'
                    '<timestamp date="2026-07-01" time="12:00:00" utc="0" interval="60">'
                    '<queue ldavg-1="1.50"/></timestamp></statistics></host></sysstat>')
    events, ctx = run(PARSER, path, tmp_path, tz="Europe/Rome")
    row = by_id(events, ctx, "1:ldavg-1")
    assert row["timestamp"] == datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc)
    assert row["timestamp_quality"] == "tz_assumed"


@pytest.mark.skipif(shutil.which("sadf") is None, reason="sysstat not installed")
def test_real_export_agrees_with_sadf_d(tmp_path):
    env = {"LC_ALL": "C", "TZ": "UTC"}
    sa = str(CORPUS / "sar" / "data-12.0.0.sa")
    (tmp_path / "x.xml").write_bytes(subprocess.run(["sadf", "-x", sa, "--", "-A"], capture_output=True,
                                                    check=True, env=env).stdout)
    (tmp_path / "d.txt").write_bytes(subprocess.run(["sadf", "-d", sa, "--", "-A"], capture_output=True,
                                                    check=True, env=env).stdout)
    xml, ctx = run(PARSER, tmp_path / "x.xml", tmp_path)
    text, _ = run(SadfParser(), tmp_path / "d.txt", tmp_path)
    assert_line_accounting(xml, ctx)
    assert ctx.units == 2 and ctx.unparsed_count == 0  # one sample, one restart

    def normalized(frame):
        return (frame.filter(pl.col("metric_name").is_in(NORMALIZED))
                .select("timestamp", "metric_name", "metric_value").sort(pl.all()))

    assert normalized(xml).height >= 6
    assert normalized(xml).equals(normalized(text))
    assert xml.filter(pl.col("action") == "boot")["timestamp"].to_list() == \
        text.filter(pl.col("action") == "boot")["timestamp"].to_list()
