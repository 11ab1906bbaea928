"""dnf: dnf.rpm.log with offsets (and the older Z form)."""

import json
from datetime import datetime, timezone

from tests.parsers.parse_helpers import SAMPLES, line
from tests.parsers.text_formats import parse, parser_for

PARSER = parser_for("dnf")


def test_synthetic_dnf_rpm_log():
    events, ctx = parse(PARSER, SAMPLES / "dnf" / "dnf.rpm.log", tz="Asia/Tokyo")
    assert (events.height, ctx.unparsed_count) == (7, 1) and ctx.unparsed[0].line == 7
    upgrade = line(events, 2)
    assert upgrade["timestamp"] == datetime(2026, 11, 20, 9, 0, 1, tzinfo=timezone.utc)  # +0100
    assert (upgrade["action"], upgrade["severity"]) == ("package_upgrade", "info")
    assert json.loads(upgrade["extra"])["package"] == "curl-8.2.1-3.fc39.x86_64"
    cleanup = line(events, 3)  # "Upgraded:" is the old package going away
    assert (cleanup["action"], cleanup["severity"]) == ("log_line", "debug")
    assert line(events, 4)["action"] == "package_install"
    assert line(events, 5)["action"] == "package_remove"
    assert line(events, 8)["timestamp"] == datetime(2026, 11, 20, 9, 0, 6, tzinfo=timezone.utc)  # Z
    assert events["timestamp_quality"].unique().to_list() == ["exact"]
    assert ctx.assumptions == []  # every line carries its offset
