"""apache_access: NCSA common/combined/vhost_combined access logs, real and synthetic."""

import json
from datetime import datetime, timezone

import polars as pl
import pytest

from tests.parsers.parse_helpers import CORPUS, SAMPLES, line
from tests.parsers.text_formats import line_count, parse, parser_for

PARSER = parser_for("apache_access")
ZANBIL = CORPUS / "apache" / "access_zanbil_shop_1000.log"
TOMCAT = CORPUS / "apache" / "tomcat_webshell_localhost_access_log.txt"


def utc(*parts):
    return datetime(*parts, tzinfo=timezone.utc)


def test_zanbil_combined_with_trailing_field():
    events, ctx = parse(PARSER, ZANBIL)
    assert (events.height, ctx.unparsed_count, ctx.units) == (1000, 0, 1000)
    # 22/Jan/2019:03:56:14 +0330 -> 00:26:14Z
    assert events["timestamp"].min() == utc(2019, 1, 22, 0, 26, 14)
    assert events["timestamp"].max() == utc(2019, 1, 22, 0, 29, 11)
    first = line(events, 1)
    assert first["src_ip"] == "54.36.149.41" and first["user"] is None
    assert first["event_code"] == "200" and first["action"] == "http_request"
    assert first["outcome"] == "success" and first["category"] == "web"
    assert first["url"].startswith("/filter/27|13%20")
    extra = json.loads(first["extra"])
    assert extra["method"] == "GET" and extra["protocol"] == "HTTP/1.1" and extra["bytes"] == "30577"
    assert "AhrefsBot" in extra["user_agent"] and extra["forwarded_for"] == "-"
    assert events["timestamp_quality"].unique().to_list() == ["exact"]
    assert events["metric_name"].null_count() == events.height


def test_tomcat_common_log_with_bad_bytes_and_unescaped_quotes():
    events, ctx = parse(PARSER, TOMCAT)
    assert events.height == line_count(TOMCAT) == 2661 and ctx.unparsed_count == 0
    assert line(events, 1)["timestamp"] == utc(2018, 7, 11, 5, 41, 28)
    assert line(events, 2661)["timestamp"] == utc(2018, 7, 11, 12, 33, 50)
    # the TLS handshake sent to the HTTP port: binary request, replaced bytes, no URL
    tls = line(events, 27)
    assert tls["url"] is None and tls["event_code"] == "400" and tls["severity"] == "warning"
    # a quote inside the request line (XSS probe) does not end the request
    probe = line(events, 879)
    assert probe["url"] == '/WebID/IISWebAgentIF.dll?postdata="><script>foo</script>'
    assert probe["event_code"] == "404" and probe["outcome"] == "failure"
    login = line(events, 2661)
    assert (login["user"], login["src_ip"], login["url"]) == ("admin", "192.168.153.46", "/host-manager/html")
    webshell = events.filter(pl.col("url").str.starts_with("/error/cmd.jsp"))
    assert webshell.height == 21 and set(webshell["src_ip"]) == {"192.168.105.76"}
    assert events.filter(pl.col("event_code") == "404").height > 1400


def test_synthetic_sample_with_malformed_crlf_and_single_digit_day():
    path = SAMPLES / "apache_access" / "access.log"
    events, ctx = parse(PARSER, path)
    assert (events.height, ctx.unparsed_count) == (9, 1)
    assert ctx.unparsed[0].line == 8
    assert line(events, 9)["timestamp"] == utc(2026, 12, 1, 14, 30)  # [1/Dec/2026:09:30:00 -0500]
    assert line(events, 10)["raw"].endswith('"kube-probe/1.29"')  # CRLF stripped
    assert line(events, 6)["severity"] == "error" and line(events, 6)["event_code"] == "502"
    assert json.loads(line(events, 2)["extra"]).get("bytes") is None  # "-"


@pytest.mark.parametrize("number, micros_or_s, latency_ms", [(1, "1532", 1.532), (2, "30001245", 30001.245),
                                                             (3, "0.042", 42.0)])
def test_request_time_becomes_latency_ms(number, micros_or_s, latency_ms):
    events, _ = parse(PARSER, SAMPLES / "apache_access" / "vhost_timed_access.log")
    row = line(events, number)
    assert row["raw"].endswith(micros_or_s)
    assert row["metric_name"] == "latency_ms" and row["metric_value"] == pytest.approx(latency_ms)


def test_vhost_prefix_goes_to_extra():
    events, _ = parse(PARSER, SAMPLES / "apache_access" / "vhost_timed_access.log")
    extra = json.loads(line(events, 2)["extra"])
    assert (extra["vhost"], extra["port"]) == ("shop.example.com", "443")
    assert line(events, 2)["src_ip"] == "198.51.100.7"
