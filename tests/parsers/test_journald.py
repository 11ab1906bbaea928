"""journald: journalctl -o json exports, real and synthetic; the linux rules apply."""

import json
from datetime import datetime, timezone

import polars as pl

from tests.parsers.parse_helpers import CORPUS, SAMPLES, line
from tests.parsers.text_formats import parse, parser_for

PARSER = parser_for("journald")
UBUNTU = CORPUS / "journald" / "journal_ubuntu1804_boot.json"
LNAV = CORPUS / "journald" / "lnav_journald.json"


def test_ubuntu_boot_export():
    events, ctx = parse(PARSER, UBUNTU)
    assert (events.height, ctx.unparsed_count, ctx.units) == (887, 0, 887)
    assert events["timestamp"].min() == datetime(2021, 3, 9, 9, 6, 19, 886606, tzinfo=timezone.utc)
    assert events["timestamp"].max() == datetime(2021, 3, 9, 9, 9, 31, 878907, tzinfo=timezone.utc)
    first = line(events, 1)
    assert (first["process"], first["host"]) == ("kernel", "ubuntu")
    extra = json.loads(first["extra"])
    assert extra["severity_raw"] == "5"  # PRIORITY; the linux rules may refine the severity
    assert extra["boot_id"] == "e2b08827b5804427b422c10c84f1567e" and extra["transport"] == "kernel"
    assert events["timestamp_quality"].unique().to_list() == ["exact"]
    assert set(events["host"]) == {"ubuntu", "test-1"}  # renamed mid-boot
    with_id = events.filter(pl.col("event_code").is_not_null())
    assert with_id.height == 144 and with_id["event_code"].str.len_chars().unique().to_list() == [32]
    assert events["pid"].null_count() < events.height
    assert line(events, 3)["severity"] == "info"


def test_lnav_export_priority_one_is_critical():
    events, _ = parse(PARSER, LNAV)
    assert events.height == 2
    row = line(events, 1)
    assert (row["severity"], row["process"], row["pid"], row["host"]) == ("critical", "python", 184, "imx6ul-medusa")
    assert json.loads(row["extra"])["unit"] == "medusa-GpsLocator.service"
    assert row["message"] == "GPS Reference longitude: 7.358143333"


def test_synthetic_export_fallbacks_bytes_and_rules():
    events, ctx = parse(PARSER, SAMPLES / "journald" / "journal.json")
    assert (events.height, ctx.unparsed_count) == (5, 2)
    assert [u.line for u in ctx.unparsed] == [5, 6]
    agent = line(events, 4)
    assert agent["process"] == "example-agent"  # _COMM when SYSLOG_IDENTIFIER is absent
    assert agent["message"] == "status: \ufffdok"  # MESSAGE as an array of bytes
    assert json.loads(agent["extra"])["unit"] == "example-agent.service"
    cron = line(events, 7)
    assert cron["pid"] == 3200  # SYSLOG_PID when _PID is absent
    sshd = line(events, 3)
    assert (sshd["action"], sshd["src_ip"]) == ("login_failed", "203.0.113.66")  # linux rule set
    assert line(events, 2)["event_code"] == "d9b373ed55a64feb8242e02dbe79a49c"


def _pretty(objects: list[dict]) -> str:
    """What journalctl -o json-pretty writes: each entry an indented object, "{" and "}"
    alone on their lines."""
    out = []
    for obj in objects:
        members = [f"\t{json.dumps(k)} : {json.dumps(v, ensure_ascii=False)}" for k, v in obj.items()]
        out.append("{\n" + ",\n".join(members) + "\n}\n")
    return "".join(out)


def test_json_pretty_export_gives_the_same_events_as_json(tmp_path):
    objects = [json.loads(text) for text in UBUNTU.read_text().splitlines() if text.strip()]
    pretty = tmp_path / "journal.json"
    pretty.write_text(_pretty(objects))
    from parsers.base import Source
    from parsers.registry import detect
    assert detect(Source(pretty, "journal.json")).parser.name == "journald"
    plain, _ = parse(PARSER, UBUNTU)
    from parsers.base import ParseContext, parse_all
    ctx = ParseContext("journal.json", "ab" * 32, chunk_bytes=16_384)  # objects cut by chunk boundaries
    events = pl.concat(parse_all(PARSER, Source(pretty, "journal.json"), ctx))
    assert (events.height, ctx.unparsed_count, ctx.units) == (887, 0, 887)
    # each event cites the line its object starts on
    starts = [n for n, text in enumerate(pretty.read_text().splitlines(), start=1) if text == "{"]
    assert events["source_line"].to_list() == starts
    same = ["timestamp", "host", "process", "pid", "severity", "action", "message", "event_code", "extra"]
    assert events.select(same).equals(plain.select(same))


def test_json_pretty_object_never_closed_is_one_unparsed_unit(tmp_path):
    text = _pretty([{"__REALTIME_TIMESTAMP": "1763805601000000", "MESSAGE": "ok", "_HOSTNAME": "h"}])
    text += '{\n\t"__REALTIME_TIMESTAMP" : "1763805602000000",\n\t"MESSAGE" : "cut'
    path = tmp_path / "journal.json"
    path.write_text(text)
    events, ctx = parse(PARSER, path)
    assert (events.height, ctx.unparsed_count, ctx.units) == (1, 1, 2)
    assert ctx.unparsed[0].line == 6


def test_json_pretty_nested_braces_stay_inside_their_object():
    from parsers.lines import pretty_json_objects
    text = '{\n\t"a" : {\n\t\t"b" : 1\n\t},\n\t"c" : 2\n}\n{\n\t"d" : 3\n}\n'
    [(objects, starts)] = list(pretty_json_objects([text]))
    assert [json.loads(o) for o in objects] == [{"a": {"b": 1}, "c": 2}, {"d": 3}]
    assert starts.tolist() == [1, 7]
