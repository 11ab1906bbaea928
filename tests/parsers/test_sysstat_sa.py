"""sysstat_sa: binary sa files through the local sadf, or a warning when it is missing."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

import polars as pl
import pytest

from parsers.base import Source
from parsers.code import sysstat_sa
from parsers.code.sysstat_sa import SysstatSaParser
from tests.parsers.parse_helpers import CORPUS, assert_accounting, run

SA12 = CORPUS / "sar" / "data-12.0.0.sa"
SA10 = CORPUS / "sar" / "data-10.3.1.sa"
has_sadf = pytest.mark.skipif(shutil.which("sadf") is None, reason="sysstat not installed")


def test_without_sadf_warns_and_reads_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(sysstat_sa.shutil, "which", lambda name: None)
    events, ctx = run(SysstatSaParser(), SA12, tmp_path)
    assert events.height == 0 and ctx.units == 0
    assert any("install sysstat to read binary sa files" in w for w in ctx.warnings)


@has_sadf
def test_current_format_reads(tmp_path):
    events, ctx = run(SysstatSaParser(), SA12, tmp_path)
    assert events["source_line"].null_count() == events.height  # binary: records, not lines
    assert events["timestamp"].min() == datetime(2019, 6, 30, 5, 39, 21, tzinfo=timezone.utc)
    assert events["timestamp"].max() == datetime(2019, 6, 30, 5, 39, 34, tzinfo=timezone.utc)
    busy = events.filter(pl.col("metric_name") == "cpu_busy_pct")
    assert busy["metric_value"].to_list() == [pytest.approx(1.0)]
    assert events.filter(pl.col("action") == "boot").height == 1
    rows = events["source_record"].str.extract(r"^(sadf:\d+)").n_unique()
    assert rows + ctx.unparsed_count == ctx.units
    assert events["event_id"].n_unique() == events.height


@has_sadf
def test_old_format_says_how_to_convert(tmp_path):
    events, ctx = run(SysstatSaParser(), SA10, tmp_path)
    assert events.height == 0
    assert any("sadf -c" in w for w in ctx.warnings)
    assert_accounting(events, ctx)


def test_sniff_by_magic():
    assert SysstatSaParser().sniff(Source(SA12, "sa30"), SA12.read_bytes()[:4096]) >= 0.9
    assert SysstatSaParser().sniff(Source(SA12, "x"), b"Linux 5.0 (h) 06/30/19\n") == 0.0
