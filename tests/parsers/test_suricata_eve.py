"""Suricata EVE JSON: event_type -> action, nested fields, offsets to UTC, detection over jsonl_generic."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import polars as pl

from parsers.base import Source
from parsers.code.suricata_eve import SuricataEveParser
from parsers.registry import all_parsers, detect
from parsers.selfcheck import check_spec
from tests.parsers.parse_helpers import CORPUS, SAMPLES, assert_accounting, by_id, run

PARSER = SuricataEveParser()
EVE = CORPUS / "ids" / "suricata_eve.json"
SAMPLE = SAMPLES / "suricata_eve" / "eve.json"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_spec_selfcheck():
    assert check_spec(all_parsers()["suricata_eve"].spec) == []


def test_detection_wins_over_generic_json_lines():
    found = detect(Source(EVE, "eve-export.txt"))
    assert found.parser.name == "suricata_eve"
    assert dict(found.candidates)["jsonl_generic"] < found.score
    assert detect(Source(SAMPLE, SAMPLE.name)).parser.name == "suricata_eve"
    generic = SAMPLES / "jsonl_generic" / "app.jsonl"
    assert detect(Source(generic, generic.name)).parser.name == "jsonl_generic"


def test_corpus(tmp_path):
    events, ctx = run(PARSER, EVE, tmp_path)
    assert (events.height, ctx.unparsed_count, ctx.units) == (3425, 0, 3425)
    assert events["timestamp"][0] == utc(2020, 2, 29, 0, 0, 1, 41456)
    assert events["timestamp"][-1] == utc(2020, 2, 29, 0, 27, 37, 318)
    counts = dict(events.group_by("action").len().iter_rows())
    # 974 dns, 736 http, 648 flow, 2 alerts; fileinfo, stats and tls are log lines
    assert counts == {"dns_query": 974, "http_request": 736, "connection": 648, "threat_detected": 2,
                      "log_line": 827 + 236 + 2}
    alerts = events.filter(pl.col("action") == "threat_detected")
    assert alerts["source_line"].to_list() == [2207, 2898]
    alert = by_id(events, ctx, "2207")
    assert alert["timestamp"] == utc(2020, 2, 29, 0, 19, 46, 915013)
    assert (alert["src_ip"], alert["category"], alert["severity"], alert["event_code"]) == (
        "192.168.10.81", "malware", "critical", "2012887")
    assert alert["message"] == "ET POLICY Http Client Body contains pass= in cleartext"
    extra = json.loads(alert["extra"])
    assert (extra["dest_ip"], extra["dest_port"], extra["alert.category"]) == (
        "192.168.10.122", "80", "Potential Corporate Privacy Violation")
    assert by_id(events, ctx, "2898")["timestamp"] == utc(2020, 2, 29, 0, 24, 56, 531252)
    http = by_id(events, ctx, "3")
    assert (http["url"], http["event_code"], http["outcome"], http["src_ip"]) == (
        "mail.spiral.com/mnemo/", "200", "success", "192.168.10.130")
    # a DNS answer from the server's port 53: the client asked, the server goes to extra
    answer = by_id(events, ctx, "1")
    assert (answer["src_ip"], answer["event_code"], answer["url"]) == (
        "192.168.10.122", "NXDOMAIN", "130.10.168.192.in-addr.arpa")
    assert answer["outcome"] == "unknown"  # reverse lookup: every NXDOMAIN of this file is one
    assert json.loads(answer["extra"])["dns.server"] == "10.18.255.254"
    flow = by_id(events, ctx, "13")
    assert (flow["action"], flow["message"]) == ("connection", "flow UDP 192.168.10.122:53493 -> 10.18.255.254:53 dns")
    assert json.loads(flow["extra"])["flow.bytes_toclient"] == "141"
    assert by_id(events, ctx, "5")["url"] == "mail.spiral.com/themes/default/graphics/button-delete.png"
    assert_accounting(events, ctx)


def test_sample(tmp_path):
    events, ctx = run(PARSER, SAMPLE, tmp_path, tz="America/New_York")
    assert (events.height, ctx.unparsed_count, ctx.units) == (8, 1, 9)
    assert [(u.line, u.reason) for u in ctx.unparsed] == [(8, "not an EVE JSON object")]
    # +0100 offset: the same instant as the UTC answer 10 ms later
    query = by_id(events, ctx, "1")
    assert query["timestamp"] == utc(2026, 11, 22, 9, 0, 0, 100000)
    assert (query["action"], query["outcome"], query["url"], query["event_code"]) == (
        "dns_query", "unknown", "www.example.com", None)
    assert by_id(events, ctx, "2")["outcome"] == "success"
    nx = by_id(events, ctx, "3")
    assert (nx["outcome"], nx["src_ip"]) == ("failure", "192.0.2.10")
    error = by_id(events, ctx, "4")
    assert (error["action"], error["event_code"], error["outcome"], error["severity"]) == (
        "http_request", "503", "failure", "error")
    assert by_id(events, ctx, "5")["severity"] == "error"  # alert severity 2
    assert by_id(events, ctx, "6")["outcome"] == "failure"  # a TCP flow never answered
    stats = by_id(events, ctx, "7")
    assert (stats["action"], stats["src_ip"], stats["message"]) == ("log_line", None, "stats")
    assert json.loads(by_id(events, ctx, "9")["extra"])["tls.sni"] == "www.example.com"
    assert not ctx.assumptions
    assert_accounting(events, ctx)


def test_lines_that_are_not_eve_records(tmp_path):
    path = tmp_path / "eve.json"
    path.write_text('{"timestamp":"2026-11-22T09:00:00+0000","event_type":"stats","stats":{}}\n'
                    '\n{"timestamp":"2026-11-22T09:00:01+0000","src_ip":"192.0.2.1"}\n'
                    '{"timestamp":"yesterday","event_type":"flow"}\nplain text\n')
    events, ctx = run(PARSER, path, tmp_path)
    assert {u.line: u.reason for u in ctx.unparsed} == {
        2: "empty line", 3: "no event_type", 4: "timestamp not understood", 5: "not an EVE JSON object"}
    assert by_id(events, ctx, "1")["timestamp"] == utc(2026, 11, 22, 9, 0, 0)
    assert_accounting(events, ctx)
