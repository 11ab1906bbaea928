"""jsonl_generic: any JSON-lines log with a time key; scores below the specific formats."""

import json
from datetime import datetime, timezone

import pytest

from parsers.base import Source
from parsers.spec import formats_dir, load_spec
from tests.parsers.parse_helpers import CORPUS, SAMPLES, line
from tests.parsers.text_formats import parse, parse_text, parser_for

PARSER = parser_for("jsonl_generic")
SPEC = load_spec(formats_dir() / "jsonl_generic.toml")
APP = SAMPLES / "jsonl_generic" / "app.jsonl"


def test_synthetic_app_log():
    events, ctx = parse(PARSER, APP, tz="Europe/Rome")
    assert (events.height, ctx.unparsed_count, ctx.units) == (5, 3, 8)
    assert [(u.line, u.reason) for u in ctx.unparsed] == [
        (4, "not a JSON object"), (6, "no readable timestamp in key 'time'"), (7, "empty line")]
    first = line(events, 1)
    assert first["timestamp"] == datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
    assert (first["severity"], first["message"], first["host"], first["pid"]) == (
        "info", "service started", "app-01.example.com", 4242)
    assert json.loads(first["extra"]) == {"version": "1.4.2"}
    assert first["timestamp_quality"] == "exact"
    slow = line(events, 2)
    assert slow["timestamp"] == datetime(2026, 11, 20, 9, 0, 5, 120000, tzinfo=timezone.utc)
    assert json.loads(slow["extra"])["query"] == {"table": "orders"}
    naive = line(events, 3)  # no offset: read in the case zone
    assert naive["timestamp"] == datetime(2026, 11, 20, 9, 0, 9, tzinfo=timezone.utc)
    assert naive["timestamp_quality"] == "tz_assumed" and naive["severity"] == "error"
    pino = line(events, 5)  # epoch milliseconds, numeric level 50
    assert pino["timestamp"] == datetime(2026, 11, 20, 10, 0, 10, 123000, tzinfo=timezone.utc)
    assert pino["severity"] == "error"
    odd = line(events, 8)
    assert odd["host"] == "app-02.example.com" and odd["severity"] is None
    assert json.loads(odd["extra"]) == {"level": "chatty"}
    assert set(events["action"]) == {"log_line"} and set(events["category"]) == {"other"}


@pytest.mark.parametrize("sample", SPEC.samples, ids=lambda s: s.origin.rsplit(" ", 1)[-1])
def test_spec_samples(tmp_path, sample):
    events, _ = parse_text(PARSER, tmp_path, sample.line + "\n", name="x.jsonl")
    row = events.row(0, named=True)
    assert {k: (row[k].isoformat() if k == "timestamp" else row[k]) for k in sample.expect} == sample.expect


def test_scores_low_and_not_on_journald_exports():
    app = Source(APP, APP.name)
    assert 0.3 <= PARSER.sniff(app, APP.read_bytes()) <= 0.4
    journal = CORPUS / "journald" / "journal_ubuntu1804_boot.json"
    assert PARSER.sniff(Source(journal, journal.name), journal.read_bytes()[:65536]) == 0.0
    assert parser_for("journald").sniff(Source(journal, journal.name), journal.read_bytes()[:65536]) > 0.8


def test_time_key_is_chosen_once_on_the_first_lines(tmp_path):
    text = "\n".join([
        '{"date": "2026-11-20", "timestamp": "2026-11-20T10:00:00Z", "msg": "a"}',
        '{"timestamp": "2026-11-20T10:00:01Z", "msg": "b"}',
        '{"@timestamp": "2026-11-20T10:00:02Z", "msg": "c has another key"}',
    ]) + "\n"
    events, ctx = parse_text(PARSER, tmp_path, text, name="x.jsonl")
    assert events["message"].to_list() == ["a", "b"] and ctx.unparsed[0].line == 3
    assert json.loads(line(events, 1)["extra"]) == {"date": "2026-11-20"}
