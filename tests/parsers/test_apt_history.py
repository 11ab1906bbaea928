"""apt_history: history.log blocks -> one event per package action, block lines as log_line."""

import json
from datetime import datetime, timezone

import polars as pl
import pytest

from parsers.spec import formats_dir, load_spec
from tests.parsers.parse_helpers import SAMPLES, by_id
from tests.parsers.text_formats import parse, parse_text, parser_for

PARSER = parser_for("apt_history")
SPEC = load_spec(formats_dir() / "apt_history.toml")


def test_synthetic_history_accounting_and_events():
    events, ctx = parse(PARSER, SAMPLES / "apt_history" / "history.log", tz="Europe/Rome")
    assert ctx.unparsed_count == 1 and ctx.unparsed[0].line == 13
    assert events.height == 28 and ctx.units == 29
    nginx = by_id(events, ctx, "5.1")
    assert nginx["timestamp"] == datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    assert (nginx["action"], nginx["outcome"], nginx["user"], nginx["process"]) == (
        "package_install", "success", "alice", "apt-get")
    extra = json.loads(nginx["extra"])
    assert (extra["package"], extra["arch"], extra["version"], extra["automatic"]) == (
        "nginx", "amd64", "1.24.0-2ubuntu7", False)
    assert extra["commandline"] == "apt-get install -y nginx" and extra["requested_by_uid"] == "1000"
    assert json.loads(by_id(events, ctx, "5.3")["extra"])["automatic"] is True
    upgrade = by_id(events, ctx, "10.1")
    assert upgrade["action"] == "package_upgrade" and upgrade["user"] is None
    assert upgrade["message"] == "upgrade libssl3 3.0.13-0ubuntu3.1 -> 3.0.13-0ubuntu3.4"
    assert upgrade["process"] == "unattended-upgrade"
    purge = by_id(events, ctx, "17")
    assert (purge["action"], purge["outcome"], purge["severity"], purge["user"]) == (
        "package_remove", "failure", "error", "bob")
    assert by_id(events, ctx, "18")["severity"] == "error"  # the Error: line
    end = by_id(events, ctx, "19")
    assert end["action"] == "log_line" and end["timestamp"] == datetime(2026, 11, 22, 8, 12, 47, tzinfo=timezone.utc)
    assert by_id(events, ctx, "24")["action"] == "package_install"  # Reinstall
    assert json.loads(by_id(events, ctx, "25")["extra"])["old_version"] == "1.5.0"  # Downgrade
    assert by_id(events, ctx, "29")["action"] == "package_remove"  # CRLF block
    assert events["timestamp_quality"].unique().to_list() == ["tz_assumed"]


def test_units_are_entries():
    path = SAMPLES / "apt_history" / "history.log"
    lines = path.read_text().splitlines()
    non_blank = sum(1 for text in lines if text.strip())
    extra_packages = 2 + 1  # line 5: 3 packages, line 10: 2 packages
    events, ctx = parse(PARSER, path)
    assert ctx.units == non_blank + extra_packages


def test_block_without_end_and_stray_lines(tmp_path):
    text = ("Commandline: apt-get install x\n"
            "Start-Date: 2026-11-20  10:00:00\n"
            "Install: x:amd64 (1.0)\n"
            "Start-Date: not a date\n"
            "Install: y:amd64 (2.0), z:amd64 (3.0)\n"
            "End-Date: 2026-11-20  10:01:00\n")
    events, ctx = parse_text(PARSER, tmp_path, text, name="history.log")
    assert events.height == 2  # the unterminated block: Start-Date and one package
    assert events.filter(pl.col("action") == "package_install")["outcome"].to_list() == ["unknown"]
    reasons = [u.reason for u in ctx.unparsed]
    assert reasons[0].startswith("outside a Start-Date") and ctx.unparsed_count == 1 + 4
    assert ctx.units == 7


@pytest.mark.parametrize("sample", SPEC.samples, ids=lambda s: s.origin.rsplit(" ", 1)[-1])
def test_spec_samples(tmp_path, sample):
    events, _ = parse_text(PARSER, tmp_path, sample.line.lstrip("\n"), name="history.log")
    first = events.filter(pl.col("action").str.starts_with("package_")).row(0, named=True)
    got = {k: (first[k].isoformat() if k == "timestamp" else first[k]) for k in sample.expect}
    assert got == sample.expect


def test_sniff_prefers_history_blocks():
    head = (SAMPLES / "apt_history" / "history.log").read_bytes()
    from parsers.base import Source
    source = Source(SAMPLES / "apt_history" / "history.log", "history.log")
    assert PARSER.sniff(source, head) > 0.9
    assert PARSER.sniff(source, b"2026-11-20 10:00:01 startup archives unpack\n") == 0.0
