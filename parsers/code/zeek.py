"""Zeek (Bro) TSV logs (conn.log, http.log, dns.log, ...) -> events, columns named by #fields, kind by #path.

The header (#separator \\x09, #set_separator, #empty_field, #unset_field, #path, #open,
#fields, #types, #close) names the columns; a file may hold several header blocks. `ts` is
epoch seconds, UTC (or ISO 8601 when Zeek was told so); "-" is unset and "(empty)" an empty
set, both null. Rows are in the order Zeek finished them, not by time: the timeline sorts.
Gzip-rotated logs (conn.00:00:00-01:00:00.log.gz) are read through Source.

By #path (the file name when #path is missing):
conn -> connection (outcome failure for conn_state REJ and S0, success once established);
http -> http_request, url = host + uri, event_code = status_code, user = username;
dns -> dns_query, url = query, event_code = rcode_name, failure for NXDOMAIN, SERVFAIL, REFUSED
(not for reverse lookups, *.arpa: a missing PTR name is no failure to reach anything);
ssh, ntlm, kerberos -> login / login_failed by their success field; rdp -> connection;
notice -> log_line with severity warning and event_code = note; syslog -> log_line with its
message and severity; any other path -> log_line. src_ip is id.orig_h; every other field,
the uid that ties one connection's records across logs included, goes to extra.

Accounting (parsers.code.header_tables): directives are the header and not units; blank and
other "#" lines are unparsed units; a data line with another field count than #fields, or
before any #fields, or without a readable ts, is unparsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import polars as pl

from parsers import timestamps as ts
from parsers.base import ParseContext, Source, decode_text, provenance
from parsers.code.guess_time import severity_of
from parsers.code.header_tables import (Block, blocks, column_or_null, extra_of, field_count_reason,
                                        report_rejects, split_columns)
from parsers.schema import conform, empty_events

DIRECTIVES = ("separator", "set_separator", "empty_field", "unset_field", "path", "open",
              "close", "fields", "types")
_DIRECTIVE = re.compile(r"^#(?P<name>" + "|".join(DIRECTIVES) + r")[\t ](?P<value>.*)$")
ISO_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z")
# connection states (Zeek conn.log): no answer or refused; a handshake completed
FAILED_STATES = ("REJ", "S0")
ESTABLISHED_STATES = ("SF", "S1", "S2", "S3", "RSTO", "RSTR")
FAILED_RCODES = ("NXDOMAIN", "SERVFAIL", "REFUSED")
REVERSE_ZONES = r"(?i)\.(?:in-addr|ip6)\.arpa\.?$"
CATEGORIES = {"conn": "network", "http": "web", "dns": "network", "ssh": "auth", "ntlm": "auth",
              "kerberos": "auth", "rdp": "network", "notice": "network", "syslog": "system"}
# path -> the field holding the user name
USER_FIELDS = {"http": "username", "ntlm": "username", "kerberos": "client", "rdp": "cookie"}
AUTH_SUCCESS = {"ssh": "auth_success", "ntlm": "success", "kerberos": "success"}


def read_directive(line: str) -> tuple[str, str] | None:
    found = _DIRECTIVE.match(line)
    return (found["name"], found["value"]) if found else None


def _unescape(text: str) -> str:
    """A header value as Zeek writes it (\\x09 for a tab) to the characters it stands for."""
    return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m[1], 16)), text)


_VALUE_ESCAPE = re.compile(r"\\(?:\\|x([0-9a-fA-F]{2}))")


def _unescape_value(text: str) -> str:
    """A value as Zeek escapes it (\\\\ for a backslash, \\xNN for a separator, a control
    character or each byte of non-ASCII text) to its text; bytes are UTF-8."""
    out, pos = bytearray(), 0
    for found in _VALUE_ESCAPE.finditer(text):
        out += text[pos:found.start()].encode("utf-8")
        out += b"\\" if found[1] is None else bytes([int(found[1], 16)])
        pos = found.end()
    out += text[pos:].encode("utf-8")
    return out.decode("utf-8", errors="replace")


def _unescape_values(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Escaped values are rare (paths, user names with a backslash): only those rows are
    decoded, one by one."""
    for name in names:
        hits = frame[name].str.contains("\\", literal=True).fill_null(False)
        if hits.any():
            rows = hits.arg_true()
            decoded = pl.Series([_unescape_value(v) for v in frame[name].gather(rows)], dtype=pl.String)
            frame = frame.with_columns(frame[name].scatter(rows, decoded))
    return frame


def _lit(value: str | None) -> pl.Expr:
    return pl.lit(value, dtype=pl.String)


class ZeekParser:
    name = "zeek"

    def sniff(self, source: Source, head: bytes) -> float:
        text = decode_text(head)
        if not re.search(r"^#fields\t", text, flags=re.M):
            return 0.0
        return 0.95 if text.startswith("#separator ") else 0.85

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        fallback_path = source.stem_name().split(".")[0].lower()
        for block in blocks(source, ctx, read_directive):
            frame = self._block(block, fallback_path, ctx)
            if frame.height:
                yield frame

    def _block(self, block: Block, fallback_path: str, ctx: ParseContext) -> pl.DataFrame:
        head = block.directives
        separator = _unescape(head.get("separator", "\\x09"))
        names = head["fields"].split(separator) if "fields" in head else []
        numbers = pl.int_range(pl.len(), dtype=pl.Int64) + block.first_line
        if "ts" not in names:
            why = "no #fields directive before this line" if not names else "#fields names no ts field"
            rejects = pl.DataFrame({"line": block.lines}).with_columns(numbers.alias("source_line"))
            report_rejects(rejects, pl.lit(False), pl.lit(why), ctx)
            return empty_events()
        frame = split_columns(block.lines, separator, names).with_columns(numbers.alias("source_line"))
        frame = report_rejects(frame, pl.col("_fields") == len(names), field_count_reason(len(names)), ctx)
        names = [c for c in frame.columns if c not in ("line", "_fields", "source_line")]
        unset = {_unescape(head.get("unset_field", "-")), _unescape(head.get("empty_field", "(empty)"))}
        frame = frame.with_columns(pl.when(~pl.col(n).is_in(list(unset))).then(pl.col(n)).alias(n) for n in names)
        frame = _unescape_values(frame, names)
        stamp = pl.coalesce(ts.parse_epoch(pl.col("ts"), "s"), ts.parse_with_offset(pl.col("ts"), ISO_FORMATS))
        frame = frame.with_columns(stamp.alias("timestamp"))
        frame = report_rejects(frame, pl.col("timestamp").is_not_null(), pl.lit("ts not understood"), ctx)
        return self._events(frame, names, head.get("path") or fallback_path, ctx)

    def _events(self, frame: pl.DataFrame, names: list[str], path: str, ctx: ParseContext) -> pl.DataFrame:
        col = lambda name: column_or_null(frame, name)  # noqa: E731 - a short local alias
        kind = _kind(path, col)
        extras = [n for n in names if n not in ("ts", "id.orig_h")]
        out = frame.select(
            "timestamp", "source_line",
            pl.col("line").str.strip_chars().alias("raw"),
            col("id.orig_h").alias("src_ip"),
            (col(USER_FIELDS[path]) if path in USER_FIELDS else _lit(None)).alias("user"),
            kind.get("url", _lit(None)).alias("url"),
            kind.get("event_code", _lit(None)).alias("event_code"),
            kind.get("severity", _lit(None)).alias("severity"),
            kind.get("outcome", _lit("unknown")).fill_null("unknown").alias("outcome"),
            kind.get("action", _lit("log_line")).alias("action"),
            kind.get("message", _connection_text(path, col)).alias("message"),
            extra_of(extras).alias("extra"),
        )
        return conform(out.with_columns(
            pl.lit("exact").alias("timestamp_quality"),
            pl.lit(CATEGORIES.get(path, "network")).alias("category"),
            pl.lit("zeek").alias("process"),
            *provenance(ctx, self.name),
        ))


def _connection_text(path: str, col) -> pl.Expr:
    """'conn tcp 192.0.2.7:52025 -> 198.51.100.1:80 http SF': what every Zeek record is about."""
    orig = pl.concat_str(col("id.orig_h"), pl.lit(":"), col("id.orig_p"))
    resp = pl.concat_str(col("id.resp_h"), pl.lit(":"), col("id.resp_p"))
    # logs about Zeek itself (stats, reporter) have no endpoints: then no arrow either
    return pl.concat_str(pl.lit(path), col("proto"), pl.concat_str(orig, pl.lit(" -> "), resp),
                         col("service"), col("conn_state"), separator=" ", ignore_nulls=True)


def _kind(path: str, col) -> dict[str, pl.Expr]:
    """The columns a log kind decides, as expressions over its fields."""
    if path == "conn":
        state = col("conn_state")
        return {"action": _lit("connection"),
                "outcome": pl.when(state.is_in(FAILED_STATES)).then(_lit("failure"))
                .when(state.is_in(ESTABLISHED_STATES)).then(_lit("success"))}
    if path == "http":
        url = pl.concat_str(col("host"), col("uri"), ignore_nulls=True)
        code = col("status_code").cast(pl.Int64, strict=False)
        return {"action": _lit("http_request"), "url": pl.when(url != "").then(url),
                "event_code": col("status_code"),
                "outcome": pl.when(code < 400).then(_lit("success")).when(code < 600).then(_lit("failure")),
                "severity": pl.when(code < 400).then(_lit("info")).when(code < 500).then(_lit("warning"))
                .when(code < 600).then(_lit("error")),
                "message": pl.concat_str(col("method"), url, col("status_code"), separator=" ", ignore_nulls=True)}
    if path == "dns":
        rcode = col("rcode_name")
        return {"action": _lit("dns_query"), "url": col("query"), "event_code": rcode,
                "outcome": pl.when(rcode.is_in(FAILED_RCODES)
                                   & ~col("query").fill_null("").str.contains(REVERSE_ZONES)).then(_lit("failure"))
                .when(rcode == "NOERROR").then(_lit("success")),
                "message": pl.concat_str(pl.lit("dns"), col("query"), col("qtype_name"), rcode,
                                         separator=" ", ignore_nulls=True)}
    if path in AUTH_SUCCESS:
        success = col(AUTH_SUCCESS[path])
        failed = success == "F"
        if path == "kerberos":
            failed = failed | col("error_msg").is_not_null()
        return {"action": pl.when(failed).then(_lit("login_failed")).when(success == "T")
                .then(_lit("login")).otherwise(_lit("connection" if path == "ssh" else "log_line")),
                "outcome": pl.when(failed).then(_lit("failure")).when(success == "T").then(_lit("success"))}
    if path == "rdp":
        return {"action": _lit("connection")}
    if path == "notice":
        return {"severity": _lit("warning"), "event_code": col("note"),
                "message": pl.concat_str(col("note"), col("msg"), separator=": ", ignore_nulls=True)}
    if path == "syslog":
        levels = col("severity").str.to_lowercase()
        return {"severity": levels.replace_strict(_SYSLOG_LEVELS, default=None),
                "message": col("message")}
    return {}


_SYSLOG_LEVELS = {word: severity_of(word) for word in
                  ("emerg", "emergency", "alert", "crit", "critical", "err", "error", "warn",
                   "warning", "notice", "info", "debug")}
