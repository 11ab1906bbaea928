"""nginx_error: upstream failures become connection failures with the client and request."""

import json
from datetime import datetime, timezone

from tests.parsers.parse_helpers import SAMPLES, line
from tests.parsers.text_formats import parse, parse_text, parser_for

PARSER = parser_for("nginx_error")


def test_synthetic_error_log():
    events, ctx = parse(PARSER, SAMPLES / "nginx_error" / "error.log", tz="Europe/Rome")
    assert (events.height, ctx.unparsed_count) == (8, 1) and ctx.unparsed[0].line == 7
    refused = line(events, 2)
    assert refused["timestamp"] == datetime(2026, 11, 20, 9, 0, 4, tzinfo=timezone.utc)  # CET
    assert (refused["action"], refused["outcome"], refused["severity"]) == ("connection", "failure", "error")
    assert (refused["src_ip"], refused["url"], refused["pid"]) == ("192.0.2.10", "/api/cart", 1201)
    assert refused["message"] == "connect() failed (111: Connection refused) while connecting to upstream"
    extra = json.loads(refused["extra"])
    assert extra["upstream"] == "http://127.0.0.1:8080/api/cart" and extra["server"] == "www.example.com"
    assert extra["connection"] == "17" and extra["method"] == "GET"
    assert line(events, 3)["action"] == "connection"  # upstream timed out
    assert line(events, 4)["action"] == "connection"  # no live upstreams
    assert line(events, 5)["action"] == "client_error" and line(events, 5)["outcome"] == "failure"  # a 404
    assert line(events, 6)["severity"] == "warning" and line(events, 6)["action"] == "log_line"
    assert line(events, 8)["action"] == "crash" and line(events, 8)["severity"] == "critical"
    assert line(events, 9)["action"] == "service_stop"  # CRLF line
    assert events["timestamp_quality"].unique().to_list() == ["tz_assumed"]


def test_message_without_client_context_is_whole(tmp_path):
    events, _ = parse_text(PARSER, tmp_path, "2026/11/20 10:00:00 [crit] 7#7: *3 SSL_do_handshake() failed\n")
    row = line(events, 1)
    assert row["message"] == "SSL_do_handshake() failed" and row["src_ip"] is None
    assert row["severity"] == "critical"
