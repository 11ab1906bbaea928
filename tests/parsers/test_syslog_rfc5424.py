"""syslog_rfc5424: PRI, nil values, structured data, offsets."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from parsers.registry import all_parsers
from tests.parsers.parse_helpers import SAMPLES, assert_accounting
from tests.parsers.test_syslog import line, parse

RFC5424 = all_parsers()["syslog_rfc5424"]


def test_sample():
    events, ctx = parse(SAMPLES / "syslog_rfc5424" / "messages", parser=RFC5424)
    assert_accounting(events, ctx)
    # the nil timestamp ("-") line cannot be placed in time
    assert [(u.line, u.reason) for u in ctx.unparsed] == [(6, "matches no syslog_rfc5424 pattern")]
    first = line(events, 1)
    assert (first["action"], first["user"], first["src_ip"], first["severity"]) == \
        ("login", "deploy", "192.0.2.70", "info")
    assert first["timestamp"] == datetime(2026, 11, 22, 9, 0, 0, 123000, tzinfo=timezone.utc)
    app = line(events, 3)
    assert (app["process"], app["pid"], app["severity"]) == ("billing-api", 4410, "error")
    assert json.loads(app["extra"]) == {"severity_raw": "131", "msgid": "ORDERS",
                                        "structured_data": '[request@32473 id="r-7" path="/orders"]'}
    su = line(events, 4)
    assert (su["action"], su["user"], su["severity"]) == ("login_failed", "root", "warning")
    cron = line(events, 5)  # no PRI (severity from the rule), Z offset
    assert (cron["action"], cron["severity"], cron["timestamp"].hour) == ("cron_run", "info", 10)
    assert cron["extra"] is None
    escaped = line(events, 7)  # a "\]" inside a structured-data value, -05:00 offset
    assert json.loads(escaped["extra"])["structured_data"].endswith('note="a \\] b"]')
    assert escaped["message"] == "application event log entry"
    assert escaped["timestamp"] == datetime(2026, 11, 22, 9, 8, 0, 250000, tzinfo=timezone.utc)
    assert set(events["timestamp_quality"]) == {"exact"}
