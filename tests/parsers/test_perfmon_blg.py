"""perfmon_blg: the real .blg is recognised and reported as unsupported, never parsed wrong."""

from __future__ import annotations

from parsers.base import Source
from parsers.code.perfmon_blg import PerfmonBlgParser
from tests.parsers.parse_helpers import CORPUS, assert_accounting, run

BLG = CORPUS / "perfmon" / "BasicPerfCounters.blg"


def test_blg_warns_with_conversion_hint(tmp_path):
    events, ctx = run(PerfmonBlgParser(), BLG, tmp_path)
    assert events.height == 0 and ctx.units == 0
    assert any("relog" in w and "not supported" in w for w in ctx.warnings)
    assert_accounting(events, ctx)


def test_sniff_needs_name_and_binary():
    head = BLG.read_bytes()[:4096]
    assert PerfmonBlgParser().sniff(Source(BLG, BLG.name), head) >= 0.3
    assert PerfmonBlgParser().sniff(Source(BLG, "counters.bin"), head) == 0.0
    assert PerfmonBlgParser().sniff(Source(BLG, "x.blg"), b"time,value\n") == 0.0
