"""thunderbird: Loghub's Thunderbird syslog, the collector's epoch as the UTC time, against the peer."""

from __future__ import annotations

import json

import polars as pl

from parsers.base import Source
from parsers.registry import all_parsers, detect
from tests.parsers.loghub_peer import disagreements, joined
from tests.parsers.parse_helpers import CORPUS, assert_accounting
from tests.parsers.test_syslog import line, parse

THUNDERBIRD = CORPUS / "syslog" / "Thunderbird_2k.log"


def test_corpus_parses_and_agrees_with_peer():
    events, ctx = parse(THUNDERBIRD, parser=all_parsers()["thunderbird"])
    assert_accounting(events, ctx)
    assert (events.height, ctx.unparsed_count) == (2000, 0)
    assert detect(Source(THUNDERBIRD, THUNDERBIRD.name)).parser.name == "thunderbird"
    both = joined(events, THUNDERBIRD)
    assert disagreements(both, pl.col("timestamp").dt.epoch("s").cast(pl.String), pl.col("Timestamp")) == []
    assert disagreements(both, pl.col("host"), pl.col("User")) == []
    assert disagreements(both, pl.col("pid").cast(pl.String), pl.col("PID")) == []
    local = pl.col("extra").str.json_path_match("$.local_time")
    assert disagreements(both, local, pl.concat_str(["Month", "Day", "Time"], separator=" ")) == []
    # "scsi0 : LSI Logic MegaRAID driver" has no program tag; the peer calls "scsi0 " (with
    # the space) its component
    assert disagreements(both, pl.col("process"), pl.col("Component")) == [1341]
    assert events["timestamp_quality"].unique().to_list() == ["exact"]


def test_local_clock_is_utc_minus_8_and_rules_apply():
    events, _ = parse(THUNDERBIRD, parser=all_parsers()["thunderbird"])
    first = line(events, 1)
    assert first["timestamp"].isoformat() == "2005-11-09T20:01:01+00:00"
    assert json.loads(first["extra"])["local_time"] == "Nov 9 12:01:01"
    assert (first["process"], first["action"], first["user"]) == ("crond(pam_unix)", "session_close", "root")
    counts = dict(events.group_by("action").len().iter_rows())
    assert counts["cron_run"] == 19 and counts["dhcp_lease"] == 3
