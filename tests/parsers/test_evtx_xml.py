"""evtx_xml: Event Viewer / wevtutil XML exports -> event rows; the same records as binary EVTX give the same events."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import evtx as evtx_crate
import polars as pl
import pytest

from parsers.base import ParseContext, Source
from parsers.code.evtx import EvtxParser
from parsers.code.evtx_xml import EvtxXmlParser
from tests.parsers import parse_helpers
from tests.parsers.parse_helpers import assert_accounting, record, run

SAMPLES = parse_helpers.SAMPLES / "evtx_xml"
CORPUS = parse_helpers.CORPUS / "evtx"


def parse(path: Path, parser=None) -> tuple[pl.DataFrame, ParseContext]:
    frame, ctx = run(parser or EvtxXmlParser(), path, tz="Europe/Rome", reference=None, sha256="a1b2c3d4" * 8)
    assert_accounting(frame, ctx)
    return frame, ctx


def test_event_viewer_export() -> None:
    frame, ctx = parse(SAMPLES / "event_viewer_export.xml")
    assert frame.height == 16 and ctx.unparsed_count == 1  # record 3305 has no TimeCreated
    assert ctx.unparsed[0].record == "3305"
    failed = record(frame, 1201)
    assert (failed["action"], failed["user"], failed["src_ip"], failed["outcome"]) == ("login_failed", "alice", "192.0.2.10", "failure")
    assert failed["timestamp"] == datetime(2026, 11, 21, 7, 58, 12, 443110, tzinfo=timezone.utc)  # 7 digits, truncated
    assert failed["message"] == "4625 logon failed for user alice from 192.0.2.10 (status 0xc000006a)"
    assert json.loads(failed["extra"])["text"].startswith("An account failed to log on.")
    assert record(frame, 1202)["src_ip"] == "192.0.2.10"  # ::ffff: prefix dropped
    started = record(frame, 1203)
    assert (started["process"], started["pid"]) == (r"C:\Users\alice\Downloads\invoice_viewer.exe", 0x1A2C)
    assert json.loads(started["extra"])["command_line"] == '"invoice_viewer.exe" /silent & exit'
    assert record(frame, 3301)["action"] == "service_stop"
    assert (record(frame, 3302)["action"], record(frame, 3302)["severity"]) == ("shutdown_unexpected", "error")
    assert record(frame, 3303)["severity"] == "critical"
    rdp = record(frame, 12)
    assert (rdp["action"], rdp["user"], rdp["src_ip"]) == ("login", "alice", "192.0.2.10")
    crash = record(frame, 4410)
    assert (crash["action"], crash["process"]) == ("crash", "OUTLOOK.EXE")
    other = record(frame, 8)
    assert (other["action"], other["category"]) == ("log_line", "other")
    assert json.loads(other["extra"])["data"]["url"] == "https://downloads.example.com/agent.msi"


def test_slowness_metrics_and_defender() -> None:
    frame, _ = parse(SAMPLES / "event_viewer_export.xml")
    boot = record(frame, 90)
    assert (boot["action"], boot["category"], boot["metric_name"], boot["metric_value"]) == ("boot", "performance", "latency_ms", 187340.0)
    assert json.loads(boot["extra"])["metric_kind"] == "boot"
    slow = record(frame, 91)
    assert (slow["process"], slow["metric_value"]) == ("Contoso Endpoint Agent", 41250.0)
    assert json.loads(slow["extra"])["metric_kind"] == "boot_degradation"
    assert (record(frame, 92)["metric_value"], json.loads(record(frame, 92)["extra"])["metric_kind"]) == (95000.0, "shutdown")
    threat = record(frame, 501)
    assert (threat["action"], threat["category"], threat["user"]) == ("threat_detected", "malware", r"EXAMPLE\alice")
    assert threat["url"] == r"file:_C:\Users\alice\Downloads\invoice_viewer.exe"
    assert json.loads(threat["extra"])["threat"] == "Trojan:Win32/Example.A"
    scan = record(frame, 502)
    assert (scan["action"], scan["user"], json.loads(scan["extra"])["phase"]) == ("av_scan", r"NT AUTHORITY\SYSTEM", "start")
    connection = record(frame, 77)
    assert (connection["src_ip"], json.loads(connection["extra"])["destination_port"]) == ("203.0.113.77", "443")


def test_wevtutil_output_without_root() -> None:
    frame, ctx = parse(SAMPLES / "wevtutil_qe.xml")
    assert frame.height == 3 and ctx.unparsed_count == 0
    assert record(frame, 1301)["action"] == "account_locked"
    assert record(frame, 1303)["action"] == "account_created"
    assert set(frame["host"]) == {"dc-01.example.com"}


def test_sniff() -> None:
    parser = EvtxXmlParser()
    for name in ("event_viewer_export.xml", "wevtutil_qe.xml"):
        path = SAMPLES / name
        assert parser.sniff(Source(path, name), path.read_bytes()) >= 0.9
    assert parser.sniff(Source(SAMPLES, "x.xml"), b"<?xml version='1.0'?><rss></rss>") == 0.0
    utf16 = ('<?xml version="1.0" encoding="UTF-16"?><Events>' + (SAMPLES / "wevtutil_qe.xml").read_text() + "</Events>").encode("utf-16")
    assert parser.sniff(Source(SAMPLES, "x.xml"), utf16) >= 0.9


def test_utf16_export_and_broken_xml(tmp_path: Path) -> None:
    text = (SAMPLES / "wevtutil_qe.xml").read_text()
    path = tmp_path / "export16.xml"
    path.write_bytes(('<?xml version="1.0" encoding="UTF-16"?>\r\n<Events>' + text + "</Events>").encode("utf-16"))
    frame, _ = parse(path)
    assert frame.height == 3
    broken = tmp_path / "broken.xml"
    broken.write_text(text.replace("</Event>\n<Event", "</Event>\n<Event <<", 1))
    frame, ctx = parse(broken)
    assert frame.height == 1 and ctx.unparsed_count == 1
    assert any("not well-formed" in w for w in ctx.warnings)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not available")
@pytest.mark.parametrize("relative", [
    "evtx-attack-samples/CA_4624_4625_LogonType2_LogonProc_chrome.evtx",
    "evtx-attack-samples/DE_RDP_Tunneling_TerminalServices-RemoteConnectionManagerOperational_1149.evtx",
    "deepbluecli/metasploit-psexec-native-target-system.evtx",
    "evtx-to-mitre-attack/ID1116-1117-Defender_threat_detected.evtx",
    "evtx-attack-samples/exec_persist_rundll32_mshta_scheduledtask_sysmon_1_3_11.evtx",
    "evtx-attack-samples/MSSQL_multiple_failed_logon_EventID_18456.evtx",
])
def test_same_records_as_binary_give_the_same_events(relative: str, tmp_path: Path) -> None:
    # wevtutil-style export of the records, written by the evtx crate as XML
    xml = "".join(re.sub(r"^<\?xml[^>]*\?>\s*", "", item["data"])
                  for item in evtx_crate.PyEvtxParser(str(CORPUS / relative)).records())
    path = tmp_path / "export.xml"
    path.write_text(xml, encoding="utf-8")
    from_xml, _ = parse(path)
    from_binary, _ = parse(CORPUS / relative, EvtxParser())
    columns = ["source_record", "timestamp", "host", "category", "action", "outcome", "severity",
               "event_code", "process", "pid", "user", "src_ip", "url", "metric_value"]
    assert from_xml.select(columns).to_dicts() == from_binary.select(columns).to_dicts()
