"""Outage claims ("the site is down", "can't connect") x timeline -> finding: failures of services and links."""

from __future__ import annotations

import polars as pl

from evidence.checks.coverage import sources_with
from evidence.checks.model import CheckInput, Finding, between
from evidence.checks.presence import presence
from evidence.checks.services import about, service_named
from evidence.checks.subject import Subject, others_words, split, subject_of, unattributed_words

DOWN_ACTIONS = ("service_failed", "link_down")
# Attempts whose failure means the other end is down or unreachable.
FAILED_ATTEMPTS = ("connection", "dns_query", "mail_deferred")
WEB_ACTIONS = ("http_request",)
WHAT = "service failures, failed connections or server errors"
MISSING = ("No service or network log in the case: the web server's access and error logs, the system journal "
           "(syslog) or the Windows System log would show failures and refused connections.")


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


def able() -> pl.Expr:
    """Events of sources that would show an outage: services, web servers, the network."""
    return (pl.col("action").is_in(FAILED_ATTEMPTS + DOWN_ACTIONS + WEB_ACTIONS)
            | pl.col("category").is_in(("service", "web", "network")))


def check(ci: CheckInput) -> Finding:
    start, end, _ = ci.window()
    hits = ci.frame.filter(symptom())
    sources = sources_with(ci.frame, able())
    subject = subject_of(ci.claim)
    if subject is not None:
        # the logs that record the named service: service, web or network events of it, or its own log
        own = sources_with(ci.frame.filter(able()), subject.matches())
        if own:
            return _about(ci, hits, subject, own, start, end)
    service = service_named(ci.claim)
    if service is not None and (reached := sources_with(ci.frame, about(service))):
        # "the file server": the connections to its ports or protocol; others' failures are not it
        name = ci.claim["subject"]
        return presence(ci, hits.filter(about(service)), reached, start, end, baseline=True,
                        what=f"failed connections to the {name} (ports {', '.join(service.ports)})",
                        missing=f"Network logs of connections to the {name} covering the window.")
    finding = presence(ci, hits, sources, start, end, baseline=True, what=WHAT, missing=MISSING)
    if subject is not None:
        finding.explanation += (f" No service, web or network log names {subject.name}: every service's "
                                "failures are counted.")
    else:
        finding.explanation += unattributed_words(ci.claim)
    return finding


def _about(ci: CheckInput, hits: pl.DataFrame, subject: Subject, own: list[str], start, end) -> Finding:
    """The verdict on the named service's own failures, judged against the logs that record it;
    other services' failures are context, never evidence for or against it."""
    parts = split(hits, subject)
    finding = presence(ci, parts.mine, own, start, end, baseline=True,
                       what=f"failures, failed connections or server errors of {subject.name}",
                       missing=f"Logs of {subject.name} covering the window.")
    in_window = between(start, end)
    # the service's own log decides: failures that name no service (a 502, a refused connection)
    # are mentioned, not counted for or against it
    others, unnamed = parts.others.filter(in_window), parts.unnamed.filter(in_window)
    finding.explanation += others_words(others, unnamed, subject.name, "failure(s)")
    return finding
