"""evtx_csv: Event Viewer and PowerShell CSV exports -> event rows (local times, labels from messages)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from parsers.base import ParseContext, Source
from parsers.code.evtx_csv import EvtxCsvParser, message_fields
from parsers.schema import validate

SAMPLES = Path(__file__).resolve().parents[2] / "sample_logs" / "evtx_csv"


def parse(path: Path, tz: str = "Europe/Rome") -> tuple[pl.DataFrame, ParseContext]:
    ctx = ParseContext(source_file=path.name, sha256="c0ffee00" * 8, tz=tz)
    frame = pl.concat(list(EvtxCsvParser().parse(Source(path, path.name), ctx)))
    validate(frame)
    assert frame.height + ctx.unparsed_count == ctx.units
    return frame, ctx


def by_line(frame: pl.DataFrame, line: int) -> dict:
    rows = frame.filter(pl.col("source_line") == line).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_event_viewer_system_export() -> None:
    frame, ctx = parse(SAMPLES / "System_event_viewer.csv")
    assert frame.height == 6 and ctx.unparsed_count == 1
    assert (ctx.unparsed[0].line, ctx.unparsed[0].reason) == (14, "time not in a known export format")
    stopped = by_line(frame, 2)
    assert (stopped["action"], stopped["process"], stopped["event_id"]) == ("service_stop", "Print Spooler", "c0ffee00:L2")
    # 9:05:00 AM in Rome (CET, UTC+1) on 21 Nov
    assert stopped["timestamp"] == datetime(2026, 11, 21, 8, 5, tzinfo=timezone.utc)
    assert stopped["timestamp_quality"] == "tz_assumed"
    assert (by_line(frame, 3)["action"], by_line(frame, 4)["severity"]) == ("shutdown_unexpected", "critical")
    assert by_line(frame, 5)["action"] == "boot"
    installed = by_line(frame, 6)  # a message over 7 lines
    assert (installed["action"], installed["process"]) == ("service_install", "ExampleUpdater")
    assert json.loads(installed["extra"])["image"] == r"C:\ProgramData\exupd\exupd.exe"
    unknown = by_line(frame, 13)
    assert (unknown["action"], unknown["category"], unknown["severity"]) == ("log_line", "system", "warning")
    assert unknown["message"] == "Example-Agent 3001: Example agent could not reach update.example.com"
    assert any("read as Europe/Rome" in a for a in ctx.assumptions)


def test_event_viewer_security_export_reads_users_from_messages() -> None:
    frame, _ = parse(SAMPLES / "Security_event_viewer.csv")
    failed = by_line(frame, 2)
    assert (failed["action"], failed["outcome"], failed["user"], failed["src_ip"]) == ("login_failed", "failure", "alice", "192.0.2.10")
    assert json.loads(failed["extra"])["logon_type"] == "3"
    logon = frame.filter(pl.col("event_code") == "4624").row(0, named=True)
    assert (logon["action"], logon["user"], logon["outcome"]) == ("login", "alice", "success")


def test_get_winevent_export() -> None:
    frame, ctx = parse(SAMPLES / "get_winevent_export.csv")
    assert frame.height == 4 and ctx.unparsed_count == 0
    rows = {r["source_record"]: r for r in frame.to_dicts()}
    assert set(rows) == {"4410", "4411", "88120", "4412"}
    crash = rows["4410"]
    assert (crash["action"], crash["process"], crash["host"], crash["event_id"]) == ("crash", "OUTLOOK.EXE", "ws-042.example.com", "c0ffee00:4410")
    msi = rows["4411"]
    assert (msi["action"], msi["outcome"]) == ("package_install", "unknown")  # status is not in a CSV row
    failed = rows["88120"]  # Keywords -9218868437227405312 = 0x8010000000000000 (audit failure)
    assert (failed["action"], failed["user"], failed["src_ip"]) == ("login_failed", "bob", "198.51.100.7")
    assert failed["timestamp"] == datetime(2026, 11, 23, 8, 41, 2, tzinfo=timezone.utc)
    assert (rows["4412"]["action"], rows["4412"]["category"]) == ("log_line", "other")


def test_message_fields() -> None:
    fields = message_fields("New Logon:\n\tAccount Name:\t\tcarol\n\tSource Network Address:\t203.0.113.5", "4624")
    assert fields == {"SubjectUserName": "carol", "TargetUserName": "carol", "IpAddress": "203.0.113.5"}
    assert message_fields("The Windows Update service entered the running state.", "7036") == {
        "param1": "Windows Update", "param2": "running"}


def test_sniff() -> None:
    parser = EvtxCsvParser()
    for path in SAMPLES.glob("*.csv"):
        assert parser.sniff(Source(path, path.name), path.read_bytes()) >= 0.9
    assert parser.sniff(Source(SAMPLES, "x.csv"), b"time,value\n2026-01-01,3\n") == 0.0
