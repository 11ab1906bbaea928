"""Zeek TSV: columns by #fields, kind by #path, epoch ts, gzip, unset fields, escapes, accounting."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from parsers.base import ParseContext, Source, sniff_compression
from parsers.code.zeek import ZeekParser
from parsers.registry import all_parsers, detect
from parsers.selfcheck import check_spec
from tests.parsers.parse_helpers import CORPUS, SAMPLES, assert_accounting, by_id, run

PARSER = ZeekParser()
WRCCDC = CORPUS / "zeek" / "wrccdc2018"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def run_gz(path: Path, workdir: Path) -> tuple[pl.DataFrame, ParseContext]:
    return run(PARSER, path, workdir, compression=sniff_compression(path))


def test_spec_selfcheck():
    assert check_spec(all_parsers()["zeek"].spec) == []


@pytest.mark.parametrize("path", [CORPUS / "zeek" / "bro_conn.log", CORPUS / "zeek" / "bro_http.log",
                                  WRCCDC / "rdp.log.gz", SAMPLES / "zeek" / "dns.log"])
def test_detected_as_zeek(path):
    assert detect(Source(path, path.name, sniff_compression(path))).parser.name == "zeek"


def test_conn_log_out_of_order(tmp_path):
    events, ctx = run(PARSER, CORPUS / "zeek" / "bro_conn.log", tmp_path)
    # 101 lines: 9 directives (8 header lines and #close) are not units
    assert (events.height, ctx.unparsed_count, ctx.units) == (92, 0, 92)
    assert events["timestamp"][0] == utc(2011, 11, 3, 0, 19, 14, 496300)
    assert events["timestamp"][-1] == utc(2011, 11, 3, 0, 19, 26, 796068)
    assert events["timestamp"].min() == utc(2011, 11, 3, 0, 19, 14, 496300)
    assert events["timestamp"].max() == utc(2011, 11, 3, 0, 21, 13, 118549)
    assert not events["timestamp"].is_sorted()
    first = by_id(events, ctx, "9")
    assert (first["action"], first["category"], first["src_ip"], first["outcome"]) == (
        "connection", "network", "192.168.2.76", "success")
    extra = json.loads(first["extra"])
    assert extra["id.resp_h"] == "208.85.42.28" and extra["id.resp_p"] == "80"
    assert extra["conn_state"] == "SF" and extra["resp_bytes"] == "1092421" and extra["duration"] == "2.125850"
    assert "service" not in extra and "tunnel_parents" not in extra  # "-" and "(empty)"
    assert first["message"] == "conn tcp 192.168.2.76:52025 -> 208.85.42.28:80 SF"
    assert set(events["action"]) == {"connection"}
    assert_accounting(events, ctx)


def test_http_log(tmp_path):
    events, ctx = run(PARSER, CORPUS / "zeek" / "bro_http.log", tmp_path)
    assert (events.height, ctx.unparsed_count, ctx.units) == (197, 0, 197)
    assert events["timestamp"][0] == utc(2011, 11, 3, 0, 19, 26, 452687)
    assert events["timestamp"][-1] == utc(2011, 11, 3, 0, 21, 13, 198815)
    assert events["timestamp"].max() == utc(2011, 11, 3, 0, 21, 13, 204466)
    first = by_id(events, ctx, "9")
    assert (first["url"], first["event_code"], first["outcome"], first["category"]) == (
        "www.reddit.com/", "200", "success", "web")
    assert first["message"] == "GET www.reddit.com/ 200"
    assert json.loads(first["extra"])["user_agent"].startswith("Mozilla/5.0 (Macintosh")
    assert set(events["action"]) == {"http_request"}
    assert_accounting(events, ctx)


# file, records, first ts, last ts (MANIFEST)
WRCCDC_FILES = [
    ("kerberos.log.gz", 11, utc(2018, 3, 24, 17, 18, 5, 713879), utc(2018, 3, 24, 17, 27, 53, 434453)),
    ("notice.log.gz", 207, utc(2018, 3, 24, 17, 15, 20, 629574), utc(2018, 3, 24, 17, 36, 18, 124315)),
    ("ntlm.log.gz", 422, utc(2018, 3, 24, 17, 15, 21, 608646), utc(2018, 3, 24, 17, 31, 46, 176335)),
    ("rdp.log.gz", 4122, utc(2018, 3, 24, 17, 15, 21, 258458), utc(2018, 3, 24, 17, 31, 5, 153373)),
    ("smb_mapping.log.gz", 393, utc(2018, 3, 24, 17, 15, 21, 382822), utc(2018, 3, 24, 17, 33, 4, 792150)),
    ("ssh.log.gz", 22, utc(2018, 3, 24, 17, 16, 39, 739898), utc(2018, 3, 24, 17, 36, 24, 947911)),
    ("syslog.log.gz", 2378, utc(2018, 3, 24, 17, 15, 47, 733658), utc(2018, 3, 24, 17, 36, 7, 620492)),
]


@pytest.mark.parametrize("name,records,first,last", WRCCDC_FILES)
def test_gzip_logs(tmp_path, name, records, first, last):
    events, ctx = run_gz(WRCCDC / name, tmp_path)
    assert (events.height, ctx.unparsed_count, ctx.units) == (records, 0, records)
    assert (events["timestamp"][0], events["timestamp"][-1]) == (first, last)
    assert_accounting(events, ctx)


def test_kinds_of_the_gzip_logs(tmp_path):
    ssh, ctx = run_gz(WRCCDC / "ssh.log.gz", tmp_path)
    first = by_id(ssh, ctx, "9")
    assert (first["action"], first["outcome"], first["category"], first["src_ip"]) == (
        "login", "success", "auth", "10.0.0.227")
    assert ssh.filter(pl.col("action") == "login_failed")["outcome"].to_list() == ["failure"] * 2
    notice, ctx = run_gz(WRCCDC / "notice.log.gz", tmp_path)
    row = by_id(notice, ctx, "9")
    assert (row["event_code"], row["severity"]) == ("SSL::Invalid_Server_Cert", "warning")
    assert row["message"].startswith("SSL::Invalid_Server_Cert: SSL certificate validation failed")
    smb, ctx = run_gz(WRCCDC / "smb_mapping.log.gz", tmp_path)
    # Zeek writes a backslash as \\: the value is the UNC path
    assert json.loads(by_id(smb, ctx, "9")["extra"])["path"] == "\\\\10.47.21.25\\ADMIN$"
    syslog, ctx = run_gz(WRCCDC / "syslog.log.gz", tmp_path)
    row = by_id(syslog, ctx, "9")
    assert (row["severity"], row["category"]) == ("info", "system")
    assert "Multimedia Class Scheduler service entered the stopped state" in row["message"]


def test_samples(tmp_path):
    conn, ctx = run(PARSER, SAMPLES / "zeek" / "conn.log", tmp_path)
    assert (conn.height, ctx.unparsed_count, ctx.units) == (4, 1, 5)
    assert [(u.line, u.reason) for u in ctx.unparsed] == [(12, "5 fields where the header names 21")]
    assert by_id(conn, ctx, "10")["outcome"] == "failure"  # S0
    refused = by_id(conn, ctx, "11")
    assert (refused["outcome"], refused["timestamp"]) == ("failure", utc(2026, 11, 22, 9, 0, 1))
    assert by_id(conn, ctx, "9")["timestamp"] == utc(2026, 11, 22, 9, 0, 0, 120000)
    assert_accounting(conn, ctx)

    dns, ctx = run(PARSER, SAMPLES / "zeek" / "dns.log", tmp_path)
    assert by_id(dns, ctx, "9")["outcome"] == "success"
    missing = by_id(dns, ctx, "10")
    assert (missing["action"], missing["outcome"], missing["event_code"], missing["url"]) == (
        "dns_query", "failure", "NXDOMAIN", "shop.example.org")
    assert by_id(dns, ctx, "11")["outcome"] == "unknown"  # a reverse lookup without a name
    escaped = by_id(dns, ctx, "12")
    assert (escaped["url"], escaped["outcome"]) == ("caf\u00e9.example.com", "failure")
    assert_accounting(dns, ctx)

    http, ctx = run(PARSER, SAMPLES / "zeek" / "http.log", tmp_path)
    error = by_id(http, ctx, "10")
    assert (error["user"], error["event_code"], error["outcome"], error["severity"]) == ("ann", "503", "failure", "error")
    assert by_id(http, ctx, "11")["url"] == "www.example.com/files/a\tb.txt"
    assert_accounting(http, ctx)


def test_comment_blank_and_missing_fields(tmp_path):
    path = tmp_path / "odd.log"
    path.write_text("1795338000.0\tCx\t192.0.2.1\n#fields\tts\tuid\tid.orig_h\n# a note\n\n"
                    "1795338000.5\tCy\t192.0.2.2\nnot-a-time\tCz\t192.0.2.3\n")
    events, ctx = run(PARSER, path, tmp_path)
    assert {u.line: u.reason for u in ctx.unparsed} == {
        1: "no #fields directive before this line", 3: "comment line", 4: "empty line", 6: "ts not understood"}
    row = by_id(events, ctx, "5")
    # no #path: the kind comes from the file name, here none this parser maps
    assert (row["action"], row["src_ip"], row["message"]) == ("log_line", "192.0.2.2", "odd")
    assert_accounting(events, ctx)
