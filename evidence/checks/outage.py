"""Outage claims ("the site is down", "can't connect") x timeline -> finding: failures of services and links."""

from __future__ import annotations

import polars as pl

from evidence.checks.common import CheckInput, Finding, presence, sources_with

DOWN_ACTIONS = ("service_failed", "link_down")
FAILED_ATTEMPTS = ("connection", "dns_query", "http_request", "mail_deferred")


def server_error() -> pl.Expr:
    return pl.col("event_code").fill_null("").str.contains(r"^5\d\d$")


def symptom() -> pl.Expr:
    client_error = pl.col("event_code").fill_null("").str.contains(r"^4\d\d$")
    return (pl.col("action").is_in(DOWN_ACTIONS)
            | ((pl.col("category") == "web") & server_error())
            | (pl.col("action").is_in(FAILED_ATTEMPTS) & (pl.col("outcome") == "failure") & ~client_error))


def check(ci: CheckInput) -> Finding:
    start, end, _ = ci.window()
    hits = ci.frame.filter(symptom())
    able = sources_with(ci.frame, pl.col("action").is_in(FAILED_ATTEMPTS + DOWN_ACTIONS)
                        | pl.col("category").is_in(("service", "web", "network")))
    return presence(ci, hits, able, start, end, baseline=True, what="service failures, failed connections or server errors",
                    missing="No service or network log in the case: the web server's access and error logs, "
                            "the system journal (syslog) or the Windows System log would show failures and "
                            "refused connections.")
