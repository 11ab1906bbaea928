"""IIS W3C: columns by the #Fields in force, UTC times, status -> outcome, directives outside the accounting."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from parsers.base import Source
from parsers.code.iis import IisParser
from parsers.registry import all_parsers, detect
from parsers.selfcheck import check_spec
from tests.parsers.parse_helpers import CORPUS, SAMPLES, assert_accounting, by_id, run

PARSER = IisParser()
SAMPLE = SAMPLES / "iis" / "u_ex261122.log"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_spec_selfcheck():
    assert check_spec(all_parsers()["iis"].spec) == []


@pytest.mark.parametrize("name", ["Tunna_rdp_tunnel_IIS.log", "u_ex130609.log", "w3c_iis85_big.log"])
def test_corpus_files_are_detected_as_iis(name):
    path = CORPUS / "iis" / name
    assert detect(Source(path, name)).parser.name == "iis"


def test_firewall_log_with_a_w3c_header_is_not_iis(tmp_path):
    path = tmp_path / "pfirewall.log"
    path.write_text("#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n"
                    "#Fields: date time action protocol src-ip dst-ip src-port dst-port size\n"
                    "2026-11-22 10:00:00 DROP TCP 192.0.2.1 192.0.2.2 5000 445 52\n")
    assert PARSER.sniff(Source(path, path.name), path.read_bytes()) == 0.0


def test_tunna_log_with_injected_comment_and_blank_line(tmp_path):
    events, ctx = run(PARSER, CORPUS / "iis" / "Tunna_rdp_tunnel_IIS.log", tmp_path)
    # 4,308 lines: 8 directives (two header blocks) are the header, not units
    assert (events.height, ctx.unparsed_count, ctx.units) == (4298, 2, 4300)
    assert {(u.line, u.reason) for u in ctx.unparsed} == {(5, "comment line"), (6, "empty line")}
    assert events["timestamp"].min() == utc(2019, 9, 3, 10, 13, 36)
    assert events["timestamp"].max() == utc(2019, 9, 3, 11, 8, 51)
    first = by_id(events, ctx, "7")
    assert first["url"] == "/erp/conn.aspx?proxy&port=3389&ip=127.0.0.1"
    assert (first["src_ip"], first["user"], first["event_code"]) == ("10.0.2.17", None, "200")
    assert (first["action"], first["category"], first["outcome"]) == ("http_request", "web", "success")
    assert (first["metric_name"], first["metric_value"]) == ("latency_ms", 7.0)
    assert first["timestamp_quality"] == "exact"
    assert json.loads(first["extra"])["s-ip"] == "10.0.2.15"
    assert by_id(events, ctx, "8")["message"] == "POST /erp/conn.aspx?proxy 200"
    # the line after the second header block
    assert by_id(events, ctx, "2605")["timestamp"] >= utc(2019, 9, 3, 11, 4, 5)
    assert events.filter(events["url"].str.starts_with("/erp/conn.aspx")).height == 4298
    assert_accounting(events, ctx)


def test_fields_change_mid_file(tmp_path):
    events, ctx = run(PARSER, CORPUS / "iis" / "u_ex130609.log", tmp_path)
    assert (events.height, ctx.unparsed_count, ctx.units) == (17, 0, 17)
    assert events["timestamp"][0] == utc(2013, 6, 9, 17, 49, 17)
    assert events["timestamp"][-1] == utc(2013, 6, 9, 17, 54, 15)
    favicon = by_id(events, ctx, "10")
    assert (favicon["url"], favicon["event_code"], favicon["severity"]) == ("/favicon.ico", "404", "warning")
    assert favicon["host"] is None
    # second block: s-computername and cs-host appear, the status moves to another column
    later = by_id(events, ctx, "15")
    assert (later["host"], later["event_code"], later["src_ip"], later["url"]) == ("GEORGIS3", "304", "::1", "/")
    extra = json.loads(later["extra"])
    assert extra["cs-host"] == "localhost" and extra["sc-bytes"] == "140" and extra["s-sitename"] == "W3SVC1"
    assert by_id(events, ctx, "20")["metric_value"] == 0.0
    assert_accounting(events, ctx)


def test_repeated_header_blocks(tmp_path):
    events, ctx = run(PARSER, CORPUS / "iis" / "w3c_iis85_big.log", tmp_path)
    # 254 lines, 44 of them directives
    assert (events.height, ctx.unparsed_count, ctx.units) == (210, 0, 210)
    assert events["timestamp"][0] == utc(2015, 1, 13, 0, 32, 17)
    assert events["timestamp"][-1] == utc(2015, 1, 13, 23, 15, 41)
    assert by_id(events, ctx, "254")["src_ip"] == "188.165.15.50"
    assert events.filter(events["event_code"] == "404").height == events.filter(events["outcome"] == "failure").height
    assert_accounting(events, ctx)


def test_sample(tmp_path):
    events, ctx = run(PARSER, SAMPLE, tmp_path, tz="Europe/Rome")
    assert (events.height, ctx.unparsed_count, ctx.units) == (6, 3, 9)
    reasons = {u.line: u.reason for u in ctx.unparsed}
    assert reasons == {8: "comment line", 9: "5 fields where the header names 15", 16: "empty line"}
    # W3C is UTC whatever the case zone; CRLF does not end up in the values
    login = by_id(events, ctx, "7")
    assert login["timestamp"] == utc(2026, 11, 22, 8, 0, 5)
    assert (login["user"], login["event_code"], login["outcome"], login["severity"]) == (
        "EXAMPLE\\ann", "401", "failure", "warning")
    assert json.loads(login["extra"])["sc-win32-status"] == "2148074254"
    busy = by_id(events, ctx, "10")
    assert (busy["url"], busy["severity"], busy["metric_value"]) == ("/api/stock?sku=7", "error", 30021.0)
    assert "cs(User-Agent)" not in json.loads(busy["extra"])  # "-" is no value
    assert by_id(events, ctx, "6")["url"] == "/shop/item?id=42&ref=mail"
    ipv6 = by_id(events, ctx, "17")
    assert (ipv6["src_ip"], ipv6["host"], ipv6["outcome"]) == ("2001:db8::5", "WEB-01", "success")
    assert not ctx.assumptions
    assert_accounting(events, ctx)


def test_lines_before_any_fields_are_unparsed(tmp_path):
    path = tmp_path / "u_ex1.log"
    path.write_text("2026-11-22 10:00:00 192.0.2.1 GET / - 80 - 192.0.2.9 - - 200 0 0 1\n"
                    "#Fields: time c-ip cs-method cs-uri-stem sc-status\n#Date: 2026-11-22 00:00:00\n"
                    "10:00:01 192.0.2.9 GET /a 500\n10:00:99 192.0.2.9 GET /b 200\n")
    events, ctx = run(PARSER, path, tmp_path)
    assert {u.line: u.reason for u in ctx.unparsed} == {1: "no #Fields directive before this line",
                                                      5: "date and time not understood"}
    # no date field: the date of #Date
    assert by_id(events, ctx, "4")["timestamp"] == utc(2026, 11, 22, 10, 0, 1)
    assert_accounting(events, ctx)
