"""Outage claims ("the site is down", "can't connect") x timeline -> finding: failures of services and links."""

from __future__ import annotations

import polars as pl

from evidence.checks.common import CheckInput, Finding, presence, sources_with

DOWN_ACTIONS = ("service_failed", "link_down")
# Attempts whose failure means the other end is down or unreachable.
FAILED_ATTEMPTS = ("connection", "dns_query", "mail_deferred")
WEB_ACTIONS = ("http_request",)


def server_error() -> pl.Expr:
    return pl.col("event_code").fill_null("").str.contains(r"^5\d\d$")


def client_error() -> pl.Expr:
    """Requests refused or not found (4xx, error-log client_error rows): the site answered."""
    return (pl.col("action") == "client_error") | pl.col("event_code").fill_null("").str.contains(r"^4\d\d$")


def symptom() -> pl.Expr:
    """What a site or service being down leaves: a service failing, a link going down, a
    connection or lookup failing, a 5xx answer. Typed columns only: a failed web request
    counts by its status, so a 403 or a 404 (a scanner, a stale link) never does."""
    failed_attempt = pl.col("action").is_in(FAILED_ATTEMPTS) & (pl.col("outcome") == "failure")
    web_server_error = (pl.col("action").is_in(WEB_ACTIONS) | (pl.col("category") == "web")) & server_error()
    return (pl.col("action").is_in(DOWN_ACTIONS) | failed_attempt | web_server_error) & ~client_error()


def check(ci: CheckInput) -> Finding:
    start, end, _ = ci.window()
    hits = ci.frame.filter(symptom())
    able = sources_with(ci.frame, pl.col("action").is_in(FAILED_ATTEMPTS + DOWN_ACTIONS + WEB_ACTIONS)
                        | pl.col("category").is_in(("service", "web", "network")))
    return presence(ci, hits, able, start, end, baseline=True, what="service failures, failed connections or server errors",
                    missing="No service or network log in the case: the web server's access and error logs, "
                            "the system journal (syslog) or the Windows System log would show failures and "
                            "refused connections.")
