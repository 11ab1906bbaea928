"""evt: the legacy XP/2003 EVT ring buffer from the corpus -> event rows (carving, wrap, stale copies)."""

from __future__ import annotations

import json
import struct
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from parsers.base import ParseContext, Source
from parsers.code.evt import EvtParser
from tests.parsers.parse_helpers import CORPUS, assert_accounting, record, run

EVT = CORPUS / "evt" / "SysEvent.Evt"
pytestmark = pytest.mark.skipif(not EVT.is_file(), reason="corpus not available")


def parse(path: Path, name: str) -> tuple[pl.DataFrame, ParseContext]:
    frame, ctx = run(EvtParser(), path, name=name, reference=None, sha256="feedbeef" * 8)
    assert_accounting(frame, ctx)
    return frame, ctx


def test_counts_range_and_stale_copies() -> None:
    frame, ctx = parse(EVT, "SysEvent.Evt")
    # MANIFEST: 6,499 carved records #1135-#7454; carving also reassembles record 1572, which
    # wraps from the end of the file to just after the header, and 180 records exist twice
    # (identical stale copies), so every number 1135..7454 is an event exactly once.
    assert ctx.units == 6500
    assert frame.height == 6320 and ctx.unparsed_count == 180
    numbers = frame["source_record"].cast(pl.Int64)
    assert numbers.to_list() == list(range(1135, 7455))
    assert all("identical copy of record" in u.reason for u in ctx.unparsed)
    assert frame["timestamp"][0] == datetime(2011, 7, 22, 10, 1, 46, tzinfo=timezone.utc)
    assert frame["timestamp"][-1] == datetime(2012, 4, 7, 4, 58, 1, tzinfo=timezone.utc)
    assert any("dirty" in w for w in ctx.warnings)
    assert any("read as System from the file name" in a for a in ctx.assumptions)


def test_fields_of_selected_records() -> None:
    frame, _ = parse(EVT, "SysEvent.Evt")
    assert frame["host"].unique().to_list() == ["WKS-WINXP32BIT"]
    assert (frame["event_id"] == "feedbeef:" + frame["source_record"]).all()
    wrapped = record(frame, 1572)
    assert (wrapped["event_code"], wrapped["process"]) == ("40960", "LSASRV")
    stopped = record(frame, 7454)
    assert (stopped["action"], stopped["process"]) == ("service_stop", "Google Update Service (gupdate)")
    assert record(frame, 7453)["action"] == "service_start"
    assert record(frame, 7452)["action"] == "service_control"
    extra = json.loads(stopped["extra"])
    assert extra["channel"] == "System" and extra["data"]["Data"]["#text"][1] == "stopped"
    first = record(frame, 1135)
    assert (first["event_code"], first["severity"], first["category"]) == ("40961", "warning", "system")
    assert json.loads(first["raw"])["time_generated"] == 1311328906
    counts = dict(frame.group_by("event_code").len().iter_rows())
    assert counts["7036"] == frame.filter(pl.col("action").is_in(["service_start", "service_stop"])).height


def test_channel_unknown_without_a_telling_name(tmp_path: Path) -> None:
    copy = tmp_path / "exported.evt"
    copy.write_bytes(EVT.read_bytes())
    frame, ctx = parse(copy, "exported.evt")
    assert set(frame["action"]) == {"log_line"}
    assert any("does not tell the log" in w for w in ctx.warnings)


def test_sniff_and_damaged_record(tmp_path: Path) -> None:
    data = bytearray(EVT.read_bytes())
    parser = EvtParser()
    assert parser.sniff(Source(EVT, EVT.name), bytes(data[:4096])) == 1.0
    assert parser.sniff(Source(EVT, EVT.name), b"ElfFile\x00" + bytes(100)) == 0.0
    # break the trailing length of the record at offset 152 (#1573): it is no longer a record
    length = struct.unpack_from("<I", data, 152)[0]
    struct.pack_into("<I", data, 152 + length - 4, 7)
    damaged = tmp_path / "SysEvent.Evt"
    damaged.write_bytes(bytes(data))
    frame, ctx = parse(damaged, "SysEvent.Evt")
    assert "1573" not in set(frame["source_record"]) and frame.height == 6319
    assert any("1 record number(s) between 1135 and 7454 not found" in w for w in ctx.warnings)
