"""dpkg: package installs, upgrades and removals from dpkg.log."""

import json
from datetime import datetime, timezone

from tests.parsers.parse_helpers import SAMPLES, line
from tests.parsers.text_formats import parse, parser_for

PARSER = parser_for("dpkg")


def test_synthetic_dpkg_log():
    events, ctx = parse(PARSER, SAMPLES / "dpkg" / "dpkg.log", tz="Europe/Berlin")
    assert (events.height, ctx.unparsed_count) == (14, 1) and ctx.unparsed[0].line == 11
    install = line(events, 2)
    assert install["timestamp"] == datetime(2026, 11, 20, 9, 0, 2, tzinfo=timezone.utc)
    assert (install["action"], install["category"], install["outcome"]) == ("package_install", "package", "unknown")
    extra = json.loads(install["extra"])
    assert (extra["package"], extra["new_version"], extra["old_version"]) == ("nginx-common:all", "1.24.0-2ubuntu7", "<none>")
    upgrade = json.loads(line(events, 5)["extra"])
    assert line(events, 5)["action"] == "package_upgrade" and upgrade["old_version"] == "3.0.13-0ubuntu3.1"
    assert line(events, 12)["action"] == line(events, 13)["action"] == "package_remove"
    state = line(events, 8)
    assert (state["action"], state["outcome"]) == ("log_line", "success")
    assert json.loads(state["extra"])["state"] == "installed"
    assert line(events, 3)["outcome"] == "unknown"  # half-installed
    assert line(events, 15)["outcome"] == "success"  # CRLF line
    assert set(events["category"]) == {"package"}
