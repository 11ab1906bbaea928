"""A case of damaged inputs: truncated EVTX and SQLite, UTF-16 text, random bytes under known names.

The case must still parse: exit 0, every good event kept, each damaged file named in a
warning, random files listed as unrecognized, and events + unparsed == units per input.
"""

from __future__ import annotations

import random
import shutil
from datetime import datetime, timezone

import polars as pl
import pytest
from click.testing import CliRunner

from evidence.case import open_case
from evidence.cli import main
from evidence.ingest import ingest
from tests.parsers.parse_helpers import CORPUS, SAMPLES

REPORTED = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
AUTH = [
    "Nov 22 10:00:03 web-01 sshd[42]: Failed password for root from 203.0.113.9 port 22 ssh2",
    "Nov 22 10:00:09 web-01 sshd[42]: Accepted password for ann from 203.0.113.9 port 22 ssh2",
]
UTF16_SYSLOG = [
    "Nov 22 10:00:01 web-01 CRON[7]: (root) CMD (run-parts /etc/cron.hourly)",
    "Nov 22 10:00:05 web-01 app[8]: worker started",
]
EVTX = CORPUS / "evtx" / "deepbluecli" / "password-spray.evtx"  # records 1-295 in chunks 0-2
HISTORY = CORPUS / "browser" / "chrome" / "History"
# EVTX: header block + two whole chunks + part of the third (records 211-295)
EVTX_CUT = 4096 + 2 * 65536 + 20000


@pytest.fixture
def damaged_case(tmp_path):
    if not EVTX.is_file() or not HISTORY.is_file():
        pytest.skip("corpus not available")
    case = tmp_path / "case"
    for folder in ("var/log", "Windows/System32/winevt/Logs", "Users/ann/AppData/Chrome", "Windows/Temp"):
        (case / folder).mkdir(parents=True)
    logs = case / "Windows/System32/winevt/Logs"
    (logs / "Application.evtx").write_bytes(EVTX.read_bytes()[:EVTX_CUT])
    history = HISTORY.read_bytes()
    (case / "Users/ann/AppData/Chrome/History").write_bytes(history[: len(history) // 2 + 100])
    text = "\r\n".join(UTF16_SYSLOG) + "\r\n"
    (case / "var/log/messages").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    shutil.copyfile(SAMPLES / "defender_mpcmdrun" / "MpCmdRun.log", case / "Windows/Temp/MpCmdRun.log")
    noise = random.Random(20261123)
    (case / "var/log/syslog").write_bytes(noise.randbytes(5000))
    (logs / "Security.evtx").write_bytes(noise.randbytes(5000))
    (case / "var/log/auth.log").write_text("\n".join(AUTH) + "\n")
    return case


def test_ingest_survives_and_accounts_for_every_input(damaged_case, tmp_path):
    workdir = tmp_path / "work"
    workdir.mkdir()
    result = ingest(open_case(damaged_case, workdir), workdir, "UTC", REPORTED)
    formats = {s.source_file: s.source_format for s in result.inputs}
    assert formats == {
        "Windows/System32/winevt/Logs/Application.evtx": "evtx",
        "Users/ann/AppData/Chrome/History": "chrome_history",
        "var/log/messages": "syslog",
        "Windows/Temp/MpCmdRun.log": "defender_mpcmdrun",
        "var/log/auth.log": "syslog",
    }
    assert {s.source_file for s in result.unrecognized} == {
        "var/log/syslog", "Windows/System32/winevt/Logs/Security.evtx"}
    for summary in result.inputs:
        assert summary.events + summary.unparsed == summary.units, summary.source_file
    by_name = {s.source_file: s for s in result.inputs}
    evtx = by_name["Windows/System32/winevt/Logs/Application.evtx"]
    assert evtx.units == 295 and evtx.unparsed > 0 and evtx.events >= 210
    assert any("Application.evtx" in w and "chunk 2" in w and "truncated" in w for w in result.warnings)
    assert by_name["Users/ann/AppData/Chrome/History"].events > 0
    assert any("History" in w and "truncated" in w for w in result.warnings)
    assert by_name["var/log/messages"].events == 2  # UTF-16 with BOM reads as text
    assert by_name["Windows/Temp/MpCmdRun.log"].events == 24

    timeline = result.collect()
    auth = timeline.filter(pl.col("source_file") == "var/log/auth.log")
    assert auth["source_line"].to_list() == [1, 2]
    assert auth["timestamp"].to_list() == [datetime(2026, 11, 22, 10, 0, 3, tzinfo=timezone.utc),
                                           datetime(2026, 11, 22, 10, 0, 9, tzinfo=timezone.utc)]
    messages = timeline.filter(pl.col("source_file") == "var/log/messages")
    assert messages["raw"].to_list() == UTF16_SYSLOG


def test_parse_command_exits_zero_and_names_the_damage(damaged_case, tmp_path):
    out = tmp_path / "timeline.parquet"
    result = CliRunner().invoke(main, ["parse", str(damaged_case), "-o", str(out), "--tz", "UTC",
                                       "--reported-at", REPORTED.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    for name in ("var/log/syslog", "Logs/Security.evtx"):
        assert any(name in line and "unrecognized" in line for line in lines), name
    warnings = [line for line in lines if line.startswith("warning:")]
    assert any("Application.evtx" in line and "truncated" in line for line in warnings)
    assert any("Chrome/History" in line and "truncated" in line for line in warnings)
    timeline = pl.read_parquet(out)
    assert timeline.filter(pl.col("source_file") == "var/log/auth.log").height == len(AUTH)
    assert timeline["timestamp"].is_sorted()
