"""defender_detectionhistory: the two real plaso DetectionHistory files, and a cut one."""

from __future__ import annotations

import json
import struct
from datetime import datetime, timedelta, timezone

from parsers.base import Source
from parsers.code.defender_detectionhistory import DefenderDetectionHistoryParser, filetime
from tests.parsers.parse_helpers import CORPUS, assert_accounting, by_id, run

FOLDER = CORPUS / "defender" / "DetectionHistory"
EICAR = FOLDER / "6AFE33A0-19BA-4FFF-892F-B700539D7D63"
PUA = FOLDER / "FC380697-A68D-4C94-B67F-9B6449039463"
FILETIME_ITEM = b"\x08\x00\x00\x00\x0a\x00\x00\x00"


def filetimes(data: bytes) -> list[datetime]:
    """Second reader: every 8-byte-aligned FILETIME item, straight from the bytes."""
    found = []
    for offset in range(0, len(data) - 16, 8):
        if data[offset:offset + 8] == FILETIME_ITEM:
            ticks = struct.unpack_from("<Q", data, offset + 8)[0]
            if ticks:
                found.append(datetime(1601, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=ticks // 10))
    return found


def test_filetime_known_value():
    assert filetime(133029417789293720) == datetime(2022, 7, 22, 5, 36, 18, 929372, tzinfo=timezone.utc)
    assert filetime(0) is None


def test_eicar_in_zip(tmp_path):
    events, ctx = run(DefenderDetectionHistoryParser(), EICAR, tmp_path)
    event = by_id(events, ctx, "detection:6AFE33A0-19BA-4FFF-892F-B700539D7D63")
    # InitialDetectionTime is the second FILETIME of the file
    assert event["timestamp"] == filetimes(EICAR.read_bytes())[1]
    assert event["timestamp"] == datetime(2022, 7, 22, 5, 36, 18, 929372, tzinfo=timezone.utc)
    assert (event["category"], event["action"]) == ("malware", "threat_detected")
    assert event["user"] == "FRYPTOP\\testuser" and event["process"] is None
    assert event["url"] == "https://secure.eicar.org/eicar_com.zip"
    extra = json.loads(event["extra"])
    assert extra["threat_name"] == "Virus:DOS/EICAR_Test_File"
    assert extra["path"] == "C:\\Users\\testuser\\Downloads\\eicar_com.zip->eicar.com"
    assert extra["sha256"] == "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
    assert extra["tracking_start_time"] == "2022-07-22T05:36:18.909442Z"
    assert extra["remediation_time"] == "2022-07-22T05:37:02.757437Z"
    assert event["event_code"] == "2147519003"
    assert_accounting(events, ctx)


def test_pua_from_explorer(tmp_path):
    events, ctx = run(DefenderDetectionHistoryParser(), PUA, tmp_path)
    event = by_id(events, ctx, "detection:FC380697-A68D-4C94-B67F-9B6449039463")
    assert event["timestamp"] == filetimes(PUA.read_bytes())[1]
    assert event["process"] == "C:\\Windows\\explorer.exe" and event["pid"] == 19588
    assert event["url"] == "http://amtso.eicar.org/PotentiallyUnwanted.exe"
    extra = json.loads(event["extra"])
    assert extra["threat_name"] == "PUA:Win32/EICAR_Test_File"
    assert extra["path"] == "C:\\Users\\testuser\\Downloads\\PotentiallyUnwanted.exe"
    assert extra["remediation_time"] is None  # FILETIME 0 = not remediated
    assert_accounting(events, ctx)


def test_cut_file_warns_and_falls_back(tmp_path):
    cut = tmp_path / PUA.name
    cut.write_bytes(PUA.read_bytes()[:3000])  # inside the second resource blob
    events, ctx = run(DefenderDetectionHistoryParser(), cut, tmp_path)
    assert ctx.warnings
    # the detection times are lost; the first resource's ThreatTrackingStartTime remains
    event = by_id(events, ctx, "detection:FC380697-A68D-4C94-B67F-9B6449039463")
    assert event["timestamp"] == datetime(2022, 7, 22, 5, 32, 27, 654741, tzinfo=timezone.utc)
    assert_accounting(events, ctx)
    stub = tmp_path / "stub"
    stub.write_bytes(PUA.read_bytes()[:100])
    events, ctx = run(DefenderDetectionHistoryParser(), stub, tmp_path)
    assert events.height == 0 and ctx.unparsed_count == 1 and ctx.warnings
    assert_accounting(events, ctx)


def test_sniff(tmp_path):
    parser = DefenderDetectionHistoryParser()
    assert parser.sniff(Source(PUA, PUA.name), PUA.read_bytes()[:4096]) > 0.9
    assert parser.sniff(Source(PUA, "x"), b"SQLite format 3\x00" + bytes(100)) == 0.0
