"""csv_generic: header row + time column; scores below the specific formats."""

import json
from datetime import datetime, timezone

import pytest

from parsers.base import Source
from parsers.spec import formats_dir, load_spec
from tests.parsers.parse_helpers import CORPUS, SAMPLES, line
from tests.parsers.text_formats import parse, parse_text, parser_for

PARSER = parser_for("csv_generic")
SPEC = load_spec(formats_dir() / "csv_generic.toml")
EXPORT = SAMPLES / "csv_generic" / "export.csv"


def test_synthetic_export():
    events, ctx = parse(PARSER, EXPORT, tz="Europe/Rome")
    # 8 data lines, 7 records (one quoted field spans two lines)
    assert (events.height, ctx.unparsed_count, ctx.units) == (5, 2, 7)
    assert [(u.line, u.reason) for u in ctx.unparsed] == [
        (6, "no readable time in the time column"), (8, "empty line")]
    first = line(events, 2)
    assert first["timestamp"] == datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    assert (first["severity"], first["host"], first["message"]) == ("info", "pc-07.example.com", "login ok")
    assert json.loads(first["extra"]) == {"user": "alice", "duration_ms": "120"}
    assert line(events, 3)["message"] == "slow response, retrying"
    assert line(events, 4)["message"] == "multi-line\nmessage in one quoted field"
    assert line(events, 7)["timestamp"] == datetime(2026, 11, 20, 10, 3, tzinfo=timezone.utc)  # epoch s
    zoneless = line(events, 9)
    assert zoneless["timestamp"] == datetime(2026, 11, 20, 9, 4, tzinfo=timezone.utc)
    assert zoneless["timestamp_quality"] == "tz_assumed" and zoneless["severity"] == "critical"


@pytest.mark.parametrize("sample", SPEC.samples, ids=lambda s: s.origin.rsplit(" ", 1)[-1])
def test_spec_samples(tmp_path, sample):
    events, _ = parse_text(PARSER, tmp_path, sample.line.lstrip("\n"), name="x.csv")
    row = events.row(0, named=True)
    assert {k: (row[k].isoformat() if k == "timestamp" else row[k]) for k in sample.expect} == sample.expect


def test_loghub_structured_csv_reads_with_its_time_column():
    path = CORPUS / "apache" / "Apache_2k.log_structured.csv"
    assert 0.3 <= PARSER.sniff(Source(path, path.name), path.read_bytes()[:65536]) <= 0.4
    events, ctx = parse(PARSER, path)
    assert (events.height, ctx.unparsed_count) == (2000, 0)
    assert line(events, 2)["timestamp"] == datetime(2005, 12, 4, 4, 47, 44, tzinfo=timezone.utc)
    assert line(events, 2)["severity"] == "notice"
    assert line(events, 2)["message"] == "workerEnv.init() ok /etc/httpd/conf/workers2.properties"


def test_semicolon_delimited_and_no_time_column(tmp_path):
    events, _ = parse_text(PARSER, tmp_path, "when;what\n2026-11-20T10:00:00Z;ok\n", name="a.csv")
    assert events.height == 1 and json.loads(events["extra"][0]) == {"what": "ok"}
    source_path = tmp_path / "b.csv"
    source_path.write_text("name,size\nfoo,1\nbar,2\n")
    assert PARSER.sniff(Source(source_path, "b.csv"), source_path.read_bytes()) == 0.0
