"""Suricata EVE JSON (eve.json, one object per line) -> events by event_type: alerts, HTTP, DNS, flows.

Why code and not a jsonl spec: the fields that matter are nested (alert.signature, http.url,
dns.rcode), and detection must ask for event_type, or every JSON-lines file with a
"timestamp" key would look like EVE. Fields are still read in bulk (polars JSON paths).

timestamp is ISO 8601 with its offset (+0000). By event_type:
alert -> threat_detected, category malware, message = signature, event_code = signature_id,
severity 1 critical, 2 error, 3 warning (4 notice); http -> http_request, url = hostname +
url, event_code = status (below 400 success, 4xx failure/warning, 5xx failure/error);
dns -> dns_query, url = rrname, event_code = rcode, failure for NXDOMAIN, SERVFAIL,
REFUSED (a reverse lookup, *.arpa, that finds no name is no failure to reach anything:
unknown); flow and netflow -> connection (a TCP flow the server never answered is a failure);
anything else (stats, fileinfo, tls, anomaly, ...) -> log_line. src_ip is EVE's src_ip,
except for DNS answers sent from port 53, where the asking client is dest_ip (the server
then goes to extra dns.server). Ports,
protocol, flow_id and the type's own details go to extra.

Accounting: units are lines; a line that is no JSON object, or lacks event_type or a
readable timestamp, is unparsed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import polars as pl

from parsers import timestamps as ts
from parsers.base import ParseContext, Source, decode_text, iter_text_chunks, provenance
from parsers.code.header_tables import extra_of, report_rejects
from parsers.lines import split_lines
from parsers.schema import conform

TIME_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z")
SEVERITIES = {"1": "critical", "2": "error", "3": "warning", "4": "notice"}
FAILED_RCODES = ("NXDOMAIN", "SERVFAIL", "REFUSED")
REVERSE_ZONES = r"(?i)\.(?:in-addr|ip6)\.arpa\.?$"
SNIFF_LINES = 200
# JSON paths read from every line: (name, path); names with a dot are kept in extra as such
FIELDS = (
    ("timestamp", "$.timestamp"), ("event_type", "$.event_type"), ("src_ip", "$.src_ip"),
    ("src_port", "$.src_port"), ("dest_ip", "$.dest_ip"), ("dest_port", "$.dest_port"),
    ("proto", "$.proto"), ("app_proto", "$.app_proto"), ("flow_id", "$.flow_id"),
    ("in_iface", "$.in_iface"), ("sensor", "$.host"),
    ("alert.signature", "$.alert.signature"), ("alert.signature_id", "$.alert.signature_id"),
    ("alert.severity", "$.alert.severity"), ("alert.category", "$.alert.category"),
    ("alert.action", "$.alert.action"), ("alert.gid", "$.alert.gid"), ("alert.rev", "$.alert.rev"),
    ("http.hostname", "$.http.hostname"), ("http.url", "$.http.url"),
    ("http.status", "$.http.status"), ("http.http_method", "$.http.http_method"),
    ("http.http_user_agent", "$.http.http_user_agent"), ("http.http_refer", "$.http.http_refer"),
    ("http.length", "$.http.length"),
    ("dns.type", "$.dns.type"), ("dns.rrname", "$.dns.rrname"), ("dns.rrtype", "$.dns.rrtype"),
    ("dns.rcode", "$.dns.rcode"),
    ("flow.state", "$.flow.state"), ("flow.reason", "$.flow.reason"),
    ("flow.pkts_toserver", "$.flow.pkts_toserver"), ("flow.pkts_toclient", "$.flow.pkts_toclient"),
    ("flow.bytes_toserver", "$.flow.bytes_toserver"), ("flow.bytes_toclient", "$.flow.bytes_toclient"),
    ("fileinfo.filename", "$.fileinfo.filename"), ("tls.sni", "$.tls.sni"),
)
# read into columns, not extra
MAPPED = {"timestamp", "event_type", "src_ip", "alert.signature", "alert.signature_id",
          "alert.severity", "http.status", "dns.rcode"}


def _lit(value: str | None) -> pl.Expr:
    return pl.lit(value, dtype=pl.String)


def _endpoints(src: str, src_port: str, dest: str, dest_port: str) -> pl.Expr:
    """'192.0.2.7:50110 -> 198.51.100.1:443' (a port where there is one); null without addresses."""
    def side(address: str, port: str) -> pl.Expr:
        with_port = pl.concat_str(pl.col(address), pl.lit(":"), pl.col(port))
        return pl.when(pl.col(port).is_not_null()).then(with_port).otherwise(pl.col(address))
    return pl.concat_str(side(src, src_port), pl.lit(" -> "), side(dest, dest_port))


def _is_eve(line: str) -> bool:
    text = line.strip()
    if not text.startswith("{"):
        return False
    try:
        obj = json.loads(text)
    except ValueError:
        return False
    return isinstance(obj, dict) and "event_type" in obj and "timestamp" in obj


class SuricataEveParser:
    name = "suricata_eve"

    def sniff(self, source: Source, head: bytes) -> float:
        lines = [line for line in decode_text(head).splitlines() if line.strip()][:SNIFF_LINES]
        if len(head) >= 65536 and len(lines) > 1:
            lines = lines[:-1]  # cut mid-object
        if not lines:
            return 0.0
        return 0.95 if sum(map(_is_eve, lines)) >= 0.6 * len(lines) else 0.0

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        first_line = 1
        for text in iter_text_chunks(source, ctx.chunk_bytes, ctx.on_bytes):
            lines = split_lines(text)
            ctx.units += lines.len()
            frame = self._frame(lines, first_line, ctx)
            first_line += lines.len()
            if frame.height:
                yield frame

    def _frame(self, lines: pl.Series, first_line: int, ctx: ParseContext) -> pl.DataFrame:
        frame = pl.DataFrame({"line": lines}).with_columns(
            (pl.int_range(pl.len(), dtype=pl.Int64) + first_line).alias("source_line"),
            *[pl.col("line").str.json_path_match(path).alias(name) for name, path in FIELDS],
        )
        frame = frame.with_columns(ts.parse_with_offset(pl.col("timestamp"), TIME_FORMATS).alias("_time"))
        is_object = pl.col("line").str.strip_chars().str.starts_with("{")
        reason = (pl.when(pl.col("line").str.strip_chars() == "").then(_lit("empty line"))
                  .when(~is_object | pl.col("timestamp").is_null() & pl.col("event_type").is_null())
                  .then(_lit("not an EVE JSON object"))
                  .when(pl.col("event_type").is_null()).then(_lit("no event_type"))
                  .otherwise(_lit("timestamp not understood")))
        ok = is_object & pl.col("event_type").is_not_null() & pl.col("_time").is_not_null()
        frame = report_rejects(frame, ok, reason, ctx)
        return self._events(frame, ctx)

    def _events(self, frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
        kind = pl.col("event_type")
        http_url = pl.concat_str(pl.col("http.hostname"), pl.col("http.url"), ignore_nulls=True)
        status = pl.col("http.status").cast(pl.Int64, strict=False)
        rcode = pl.col("dns.rcode")
        from_server = (kind == "dns") & (pl.col("src_port") == "53") & (pl.col("dest_port") != "53")
        unanswered = (pl.col("proto").str.to_uppercase() == "TCP") & (pl.col("flow.pkts_toclient") == "0")
        is_flow = kind.is_in(("flow", "netflow"))
        extras = [name for name, _ in FIELDS if name not in MAPPED] + ["dns.server", "event_type"]
        frame = frame.with_columns(pl.when(from_server).then(pl.col("src_ip")).alias("dns.server"))
        failed_lookup = rcode.is_in(FAILED_RCODES) & ~pl.col("dns.rrname").fill_null("").str.contains(REVERSE_ZONES)
        out = frame.select(
            pl.col("_time").alias("timestamp"), "source_line",
            pl.col("line").str.strip_chars().alias("raw"),
            pl.when(from_server).then(pl.col("dest_ip")).otherwise(pl.col("src_ip")).alias("src_ip"),
            pl.when(kind == "alert").then(_lit("threat_detected")).when(kind == "http")
            .then(_lit("http_request")).when(kind == "dns").then(_lit("dns_query"))
            .when(is_flow).then(_lit("connection")).otherwise(_lit("log_line")).alias("action"),
            pl.when(kind == "alert").then(_lit("malware")).when(kind == "http").then(_lit("web"))
            .otherwise(_lit("network")).alias("category"),
            pl.when(kind == "alert").then(pl.col("alert.signature_id"))
            .when(kind == "http").then(pl.col("http.status"))
            .when(kind == "dns").then(rcode).alias("event_code"),
            pl.when(kind == "alert").then(pl.col("alert.severity").replace_strict(SEVERITIES, default=None))
            .when(kind == "http").then(
                pl.when(status < 400).then(_lit("info")).when(status < 500).then(_lit("warning"))
                .when(status < 600).then(_lit("error"))).alias("severity"),
            pl.when(kind == "http").then(
                pl.when(status < 400).then(_lit("success")).when(status < 600).then(_lit("failure")))
            .when(kind == "dns").then(
                pl.when(failed_lookup).then(_lit("failure")).when(rcode == "NOERROR")
                .then(_lit("success")))
            .when(is_flow & unanswered).then(_lit("failure"))
            .fill_null("unknown").alias("outcome"),
            pl.when(kind.is_in(("http", "fileinfo", "alert")) & (http_url != ""))
            .then(http_url).when(kind == "dns").then(pl.col("dns.rrname")).alias("url"),
            pl.when(kind == "alert").then(pl.col("alert.signature"))
            .when(kind == "http").then(pl.concat_str(pl.col("http.http_method"), http_url, pl.col("http.status"),
                                                    separator=" ", ignore_nulls=True))
            .when(kind == "dns").then(pl.concat_str(pl.lit("dns"), pl.col("dns.type"), pl.col("dns.rrname"),
                                                    pl.col("dns.rrtype"), rcode, separator=" ", ignore_nulls=True))
            .otherwise(pl.concat_str(kind, pl.col("proto"), _endpoints("src_ip", "src_port", "dest_ip", "dest_port"),
                                     pl.col("app_proto"), separator=" ", ignore_nulls=True)).alias("message"),
            extra_of(extras).alias("extra"),
        )
        return conform(out.with_columns(
            pl.lit("exact").alias("timestamp_quality"),
            pl.lit("suricata").alias("process"),
            *provenance(ctx, self.name),
        ))
