"""evtx: binary EVTX from the corpus -> event rows (counts, times, fields, damage, python-evtx cross-check)."""

from __future__ import annotations

import json
import re
import struct
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from parsers.base import ParseContext, Source
from parsers.code.evtx import EvtxParser
from tests.parsers import parse_helpers
from tests.parsers.parse_helpers import assert_accounting, run

CORPUS = parse_helpers.CORPUS / "evtx"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not available")

# From corpus/MANIFEST.md: records, first and last TimeCreated in record order.
MANIFEST = [
    ("deepbluecli/disablestop-eventlog.evtx", 13, "2019-04-27T21:04:25.733401Z", "2019-04-27T21:06:49.341668Z"),
    ("deepbluecli/metasploit-psexec-native-target-security.evtx", 4, "2016-09-21T03:40:37.088867Z", "2016-09-21T03:41:13.078125Z"),
    ("deepbluecli/metasploit-psexec-native-target-system.evtx", 7, "2016-09-21T03:40:41.865234Z", "2016-09-21T03:41:13.120117Z"),
    ("deepbluecli/mimikatz-privesc-hashdump.evtx", 13, "2019-04-30T18:08:22.618193Z", "2019-04-30T18:10:56.806730Z"),
    ("deepbluecli/new-user-security.evtx", 4, "2013-10-23T16:22:39.973500Z", "2013-10-23T16:22:40.004750Z"),
    ("deepbluecli/password-spray.evtx", 295, "2019-04-30T19:27:00.297450Z", "2019-04-30T19:32:17.474995Z"),
    ("deepbluecli/sliver-sysmon.evtx", 24, "2023-05-18T18:28:20.173882Z", "2023-05-18T18:30:56.787793Z"),
    ("evtx-attack-samples/CA_4624_4625_LogonType2_LogonProc_chrome.evtx", 4, "2020-09-09T13:18:23.627952Z", "2020-09-09T13:18:27.714758Z"),
    ("evtx-attack-samples/DE_104_system_log_cleared.evtx", 1, "2019-03-19T23:34:25.894341Z", "2019-03-19T23:34:25.894341Z"),
    ("evtx-attack-samples/DE_Fake_ComputerAccount_4720.evtx", 2, "2020-09-16T09:31:19.133272Z", "2020-09-16T09:32:13.647155Z"),
    ("evtx-attack-samples/DE_RDP_Tunneling_4624.evtx", 18, "2019-02-13T15:14:52.409734Z", "2019-02-13T15:31:31.556812Z"),
    ("evtx-attack-samples/DE_RDP_Tunneling_TerminalServices-RemoteConnectionManagerOperational_1149.evtx", 228, "2018-11-06T21:31:54.070985Z", "2019-02-13T18:04:57.452386Z"),
    ("evtx-attack-samples/DE_sysmon-3-rdp-tun.evtx", 73, "2019-02-16T10:01:46.884038Z", "2019-02-16T10:06:38.843856Z"),
    ("evtx-attack-samples/LM_REMCOM_5145_TargetHost.evtx", 30, "2019-02-16T17:54:26.956251Z", "2019-02-16T18:19:18.522441Z"),
    ("evtx-attack-samples/LM_Remote_Service02_7045.evtx", 3, "2019-03-03T09:20:28.621489Z", "2019-03-19T00:41:29.008933Z"),
    ("evtx-attack-samples/LM_WMI_4624_4688_TargetHost.evtx", 8, "2019-03-18T22:15:36.036376Z", "2019-03-18T22:16:19.989944Z"),
    ("evtx-attack-samples/MSSQL_multiple_failed_logon_EventID_18456.evtx", 10, "2019-11-04T13:46:01.171339Z", "2019-11-04T13:46:01.279825Z"),
    ("evtx-attack-samples/Network_Service_Guest_added_to_admins_4732.evtx", 2, "2019-09-22T11:22:05.201727Z", "2019-09-22T11:23:19.251925Z"),
    ("evtx-attack-samples/RemotePowerShell_MS_Windows-Remote_Management_EventID_169.evtx", 6, "2019-05-20T15:54:31.706910Z", "2019-05-20T15:54:32.564900Z"),
    ("evtx-attack-samples/WinDefender_Events_1117_1116_AtomicRedTeam.evtx", 11, "2019-07-18T20:40:00.730676Z", "2019-07-18T20:53:31.952568Z"),
    ("evtx-attack-samples/Zerologon_CVE-2020-1472_DFIR_System_NetLogon_Error_EventID_5805.evtx", 2, "2020-09-15T19:28:31.453647Z", "2020-09-15T19:28:49.359772Z"),
    ("evtx-attack-samples/dfir_rdpsharp_target_RdpCoreTs_168_68_131.evtx", 40, "2020-11-13T11:09:07.084053Z", "2020-11-13T11:49:19.426467Z"),
    ("evtx-attack-samples/exec_emotet_ps_4104.evtx", 1, "2020-08-26T05:09:28.845521Z", "2020-08-26T05:09:28.845521Z"),
    ("evtx-attack-samples/exec_emotet_ps_800_new-object.evtx", 1, "2020-08-26T05:09:29.115150Z", "2020-08-26T05:09:29.115150Z"),
    ("evtx-attack-samples/exec_persist_rundll32_mshta_scheduledtask_sysmon_1_3_11.evtx", 8, "2019-05-21T15:32:57.286254Z", "2019-05-21T15:33:01.141798Z"),
    ("evtx-attack-samples/kerberos_pwd_spray_4771.evtx", 12, "2020-07-22T20:29:27.321769Z", "2020-07-22T20:29:36.437702Z"),
    ("evtx-attack-samples/persist_bitsadmin_Microsoft-Windows-Bits-Client-Operational.evtx", 6, "2019-05-12T18:02:05.215197Z", "2019-05-13T14:50:59.405301Z"),
    ("evtx-attack-samples/sysmon_10_lsass_mimikatz_sekurlsa_logonpasswords.evtx", 1, "2019-03-17T19:37:11.661930Z", "2019-03-17T19:37:11.661930Z"),
    ("evtx-attack-samples/sysmon_20_21_1_CommandLineEventConsumer.evtx", 17, "2019-05-11T17:57:49.903159Z", "2019-05-11T17:58:55.153159Z"),
    ("evtx-attack-samples/temp_scheduled_task_4698_4699.evtx", 2, "2019-03-19T00:02:04.319945Z", "2019-03-19T00:02:04.351252Z"),
    ("evtx-attack-samples/tunna_iis_rdp_smb_tunneling_sysmon_3.evtx", 12, "2019-09-03T11:04:07.207049Z", "2019-09-03T11:36:26.005493Z"),
    ("evtx-attack-samples/win10_4703_SeDebugPrivilege_enabled.evtx", 1, "2019-08-14T12:48:15.921507Z", "2019-08-14T12:48:15.921507Z"),
    ("evtx-to-mitre-attack/ID1116-1117-Defender_threat_detected.evtx", 6, "2020-12-11T12:28:01.2990045Z", "2020-12-11T12:28:44.3178756Z"),
    ("evtx-to-mitre-attack/ID4688_4698_4699_5145_4624-ATexec_remote_task_creation.evtx", 12, "2021-06-10T21:21:20.636029Z", "2021-06-10T21:21:29.441570Z"),
    ("plaso/System.evtx", 5009, "2010-11-21T03:55:59.626427Z", "2015-09-18T07:58:45.877625Z"),
]


def utc(text: str) -> datetime:
    """An ISO time with up to 7 fraction digits, truncated to microseconds like the parser."""
    head, _, fraction = text.rstrip("Z").partition(".")
    stamp = datetime.fromisoformat(head).replace(tzinfo=timezone.utc)
    return stamp.replace(microsecond=int((fraction + "000000")[:6])) if fraction else stamp


def parse(path: Path, name: str | None = None) -> tuple[pl.DataFrame, ParseContext]:
    frame, ctx = run(EvtxParser(), path, name=name, reference=None, sha256="0123456789abcdef" * 4)
    assert_accounting(frame, ctx)
    return frame, ctx


def record(frame: pl.DataFrame, number: int) -> dict:
    """The event of the file's record `number` (the EVTX record header number, as in event_id)."""
    rows = frame.filter(pl.col("event_id") == f"01234567:{number}").to_dicts()
    assert len(rows) == 1, f"record {number}: {len(rows)} rows"
    return rows[0]


def numbers(frame: pl.DataFrame) -> pl.Series:
    return frame["event_id"].str.split(":").list.get(1).cast(pl.Int64)


@pytest.mark.parametrize(("relative", "count", "first", "last"), MANIFEST, ids=[m[0].split("/")[-1][:40] for m in MANIFEST])
def test_corpus_counts_and_time_range(relative: str, count: int, first: str, last: str) -> None:
    frame, ctx = parse(CORPUS / relative)
    assert frame.height == count
    assert ctx.unparsed_count == 0 and not ctx.warnings
    assert frame["timestamp"][0] == utc(first)
    assert frame["timestamp"][-1] == utc(last)
    assert numbers(frame).is_sorted()


def test_every_record_keeps_channel_eventid_record_and_computer() -> None:
    for relative, *_ in MANIFEST:
        frame, _ = parse(CORPUS / relative)
        channels = frame["extra"].map_elements(lambda e: json.loads(e)["channel"], return_dtype=pl.String)
        assert channels.null_count() == 0, relative
        for column in ("event_code", "source_record", "host", "event_id", "raw", "message"):
            assert frame[column].null_count() == 0, (relative, column)
        assert frame["source_line"].null_count() == frame.height
        assert frame["event_id"].str.contains(r"^01234567:\d+$").all()
        assert frame["source_record"].str.contains(r"^\d+$").all()
        assert frame["timestamp_quality"].unique().to_list() == ["exact"]


def test_security_logons_and_process_starts() -> None:
    frame, _ = parse(CORPUS / "evtx-attack-samples/CA_4624_4625_LogonType2_LogonProc_chrome.evtx")
    failed = record(frame, 1)
    assert (failed["event_code"], failed["action"], failed["outcome"], failed["category"]) == ("4625", "login_failed", "failure", "auth")
    assert failed["user"] == "IEUser" and failed["host"] == "MSEDGEWIN10"
    assert failed["source_record"] == "137222"  # EventRecordID of the original log, as Event Viewer shows
    assert json.loads(failed["extra"])["record_number"] == 1
    assert failed["process"].endswith("chrome.exe") and failed["severity"] == "warning"
    assert json.loads(failed["extra"])["sub_status"] == "0xc000006a"
    assert record(frame, 3)["action"] == "login" and record(frame, 3)["outcome"] == "success"

    frame, _ = parse(CORPUS / "deepbluecli/metasploit-psexec-native-target-security.evtx")
    cleared = record(frame, 1)
    assert (cleared["event_code"], cleared["action"], cleared["user"]) == ("1102", "log_cleared", "IEUser")
    started = record(frame, 2)
    assert (started["action"], started["process"], started["pid"]) == ("process_start", r"C:\Windows\duKhLYUX.exe", 3744)
    assert json.loads(started["extra"])["parent_pid"].startswith("0x")  # Windows 7: no ParentProcessName yet

    frame, _ = parse(CORPUS / "evtx-attack-samples/DE_RDP_Tunneling_4624.evtx")
    anonymous = record(frame, 17)
    assert (anonymous["user"], anonymous["src_ip"], json.loads(anonymous["extra"])["logon_type"]) == ("ANONYMOUS LOGON", "10.0.2.17", "3")

    frame, _ = parse(CORPUS / "deepbluecli/password-spray.evtx")
    assert frame.filter(pl.col("event_code") == "4648")["action"].unique().to_list() == ["explicit_logon"]
    assert frame.filter(pl.col("action") == "log_cleared").height == 1

    frame, _ = parse(CORPUS / "deepbluecli/new-user-security.evtx")
    created = record(frame, 2)
    assert (created["action"], created["user"], created["category"]) == ("account_created", "IEUser", "auth")


def test_system_services_boots_and_shutdowns() -> None:
    frame, _ = parse(CORPUS / "plaso/System.evtx")
    stopped = record(frame, 1)
    assert (stopped["action"], stopped["process"], stopped["category"]) == ("service_stop", "Windows Event Log", "service")
    counts = dict(frame.group_by("action").len().iter_rows())
    assert counts["service_start"] + counts["service_stop"] == 3434  # every 7036, by param2
    assert counts["config_change"] == 1018  # 7040
    assert counts["service_install"] == frame.filter(pl.col("event_code") == "7045").height == 25
    restart = record(frame, 248)
    assert (restart["action"], restart["user"]) == ("shutdown", r"NT AUTHORITY\SYSTEM")
    power = record(frame, 325)
    assert (power["action"], power["severity"], power["event_code"]) == ("shutdown_unexpected", "critical", "41")
    uptime = record(frame, 275)
    assert (uptime["metric_name"], uptime["metric_value"]) == ("uptime_s", 42.0)
    assert frame.filter(pl.col("event_code") == "6008")["action"].unique().to_list() == ["shutdown_unexpected"]

    frame, _ = parse(CORPUS / "evtx-attack-samples/LM_Remote_Service02_7045.evtx")
    assert frame["action"].unique().to_list() == ["service_install"]


def test_other_channels_rdp_sysmon_defender_sql() -> None:
    frame, _ = parse(CORPUS / "evtx-attack-samples/DE_RDP_Tunneling_TerminalServices-RemoteConnectionManagerOperational_1149.evtx")
    rdp = record(frame, 6)
    assert (rdp["action"], rdp["user"], rdp["src_ip"]) == ("login", "administrator", "10.0.2.16")
    assert record(frame, 225)["src_ip"] == "fe80::80ac:4126:fa58:1b81"
    listener = frame.filter(pl.col("event_code") == "258").row(0, named=True)
    assert (listener["action"], listener["category"]) == ("log_line", "auth")

    frame, _ = parse(CORPUS / "evtx-attack-samples/exec_persist_rundll32_mshta_scheduledtask_sysmon_1_3_11.evtx")
    connection = record(frame, 4)
    assert (connection["action"], connection["src_ip"], connection["pid"]) == ("connection", "108.179.232.58", 2432)
    assert json.loads(connection["extra"])["destination_ip"] == "108.179.232.58"
    assert record(frame, 3)["process"] == r"C:\Windows\System32\mshta.exe"
    assert record(frame, 6)["action"] == "file_create"

    frame, _ = parse(CORPUS / "deepbluecli/sliver-sysmon.evtx")
    assert set(frame.filter(pl.col("event_code") == "22")["action"]) == {"dns_query"}
    assert set(frame.filter(pl.col("event_code") == "5")["action"]) == {"process_end"}

    # python-evtx fails on this file; record 6's header time is 0 but TimeCreated is valid
    frame, _ = parse(CORPUS / "evtx-to-mitre-attack/ID1116-1117-Defender_threat_detected.evtx")
    detected = record(frame, 2)
    assert (detected["action"], detected["category"], detected["user"]) == ("threat_detected", "malware", r"OFFSEC\admmig")
    assert detected["url"] == r"file:_C:\Users\admmig\Documents\mimikatz.exe"
    assert json.loads(detected["extra"])["threat"] == "HackTool:Win32/Mimikatz.D"
    assert (record(frame, 5)["action"], record(frame, 5)["outcome"]) == ("threat_action", "success")
    assert frame["timestamp"].dt.year().min() == 2020

    frame, _ = parse(CORPUS / "evtx-attack-samples/MSSQL_multiple_failed_logon_EventID_18456.evtx")
    assert (record(frame, 1)["action"], record(frame, 1)["user"], record(frame, 1)["src_ip"]) == ("login_failed", "sa", "10.0.2.17")

    frame, _ = parse(CORPUS / "evtx-attack-samples/persist_bitsadmin_Microsoft-Windows-Bits-Client-Operational.evtx")
    unknown = frame.filter(pl.col("event_code") == "59").row(0, named=True)
    assert (unknown["action"], unknown["category"], unknown["process"]) == ("log_line", "other", "Microsoft-Windows-Bits-Client")
    data = json.loads(unknown["extra"])["data"]
    assert data["name"] == "backdoor" and data["url"] == r"C:\Windows\system32\cmd.exe"  # EventData kept whole


def test_truncated_last_chunk_is_recovered_up_to_the_cut() -> None:
    frame, ctx = parse(CORPUS / "plaso/System2.evtx")
    # chunks 0-1 (records 1-194) as in MANIFEST; the 64,832 bytes of chunk 2 still hold 195-283
    assert frame.filter(numbers(frame) <= 194).height == 194
    assert (frame["source_record"] == numbers(frame).cast(pl.String)).all()  # a full log: both agree
    assert record(frame, 194)["timestamp"] == utc("2015-08-09T09:17:38.375000Z")
    assert frame.height == 283 and ctx.unparsed_count == 1
    assert ctx.unparsed[0].record == "284" and "cut off" in ctx.unparsed[0].reason
    assert any("chunk 2 (records 195-284)" in w and "truncated" in w for w in ctx.warnings)


def test_file_cut_mid_file_gives_warnings_and_partial_events(tmp_path: Path) -> None:
    whole = (CORPUS / "plaso/System.evtx").read_bytes()
    cut = tmp_path / "System_cut.evtx"
    cut.write_bytes(whole[: 4096 + 65536 * 3 + 20000])
    frame, ctx = parse(cut)
    assert 445 < frame.height < 5009  # chunks 0-2 hold records 1-445
    assert set(range(1, 446)) <= set(numbers(frame))
    assert any(w.startswith("System_cut.evtx: chunk 3 (records 446-") for w in ctx.warnings)
    assert ctx.unparsed_count >= 1 and all(u.record for u in ctx.unparsed)


def test_corrupt_chunk_and_corrupt_record_are_reported_and_skipped(tmp_path: Path) -> None:
    data = bytearray((CORPUS / "plaso/System.evtx").read_bytes())
    chunk1 = 4096 + 65536
    data[chunk1:chunk1 + 8] = b"XXXXXXXX"  # chunk 1 (records 159-275) loses its header magic
    chunk2 = 4096 + 2 * 65536
    first = chunk2 + 512  # record 276: damage its BinXML, keep its header
    size = struct.unpack_from("<I", data, first + 4)[0]
    second = first + size
    data[second + 24: second + 60] = b"\xff" * 36  # record 277
    broken = tmp_path / "broken.evtx"
    broken.write_bytes(bytes(data))
    frame, ctx = parse(broken)
    records = set(numbers(frame))
    assert records.isdisjoint(range(159, 276)) and 277 not in records
    assert {1, 158, 276, 278, 5009} <= records
    assert frame.height == 5009 - 117 - 1
    unparsed = {u.record for u in ctx.unparsed}
    assert {str(r) for r in range(159, 276)} | {"277"} == unparsed
    assert any("chunk 1 (records 159-275): bad chunk header magic" in w for w in ctx.warnings)
    assert any(re.search(r"chunk 2 \(records 276-\d+\)", w) for w in ctx.warnings)


def test_sniff() -> None:
    parser = EvtxParser()
    path = CORPUS / "plaso/System.evtx"
    assert parser.sniff(Source(path, path.name), path.read_bytes()[:4096]) == 1.0
    assert parser.sniff(Source(path, "x.log"), b"Jan  1 00:00:00 host sshd[1]: hi\n") == 0.0


def _python_evtx_records(path: Path, limit: int = 800) -> dict[int, tuple[str, str]] | None:
    """Record id -> (EventID, SystemTime) by python-evtx, the first `limit` records (it is slow)."""
    evtx_module = pytest.importorskip("Evtx.Evtx")
    out = {}
    try:
        with evtx_module.Evtx(str(path)) as log:
            for item in log.records():
                xml = item.xml()
                code = re.search(r"<EventID[^>]*>(\d+)</EventID>", xml).group(1)
                stamp = re.search(r'SystemTime="([^"]+)"', xml).group(1)
                out[item.record_num()] = (code, stamp)
                if len(out) >= limit:
                    break
    except Exception:  # python-evtx cannot read some valid files (see MANIFEST)
        return None
    return out


@pytest.mark.parametrize("relative", [m[0] for m in MANIFEST if m[1] < 1000] + ["plaso/System.evtx", "plaso/System2.evtx"])
def test_cross_check_with_python_evtx(relative: str) -> None:
    theirs = _python_evtx_records(CORPUS / relative)
    if theirs is None:
        pytest.skip("python-evtx cannot read this file")
    frame, _ = parse(CORPUS / relative)
    ours = {int(r.split(":")[1]): (c, t) for r, c, t in frame.select("event_id", "event_code", "timestamp").iter_rows()}
    assert theirs, relative
    for record_id, (code, stamp) in theirs.items():
        assert ours[record_id][0] == code, (relative, record_id)
        # python-evtx converts FILETIME through a float: allow its 1 us rounding
        assert abs((ours[record_id][1] - utc(stamp)).total_seconds()) <= 2e-6, (relative, record_id)
