"""evidence.checks: each check on small synthetic frames, for each verdict it can give."""

from __future__ import annotations

import polars as pl
import pytest

from evidence.checks import CHECKS, run_check
from evidence.checks.common import Verdict
from tests.evidence.frames import at, check_input, claim, ev, heartbeat, metric

SYSLOG = heartbeat("syslog", 0, 80, every_minutes=15)
APPLICATION = heartbeat("Application.evtx", 0, 80, every_minutes=60)


def test_registry_has_one_check_per_kind():
    assert set(CHECKS) == {"onset", "slowness", "popup", "outage", "login", "reboot", "crash", "change"}


# --- onset -------------------------------------------------------------------------------

def _crashes(*hours: float) -> list[dict]:
    return [ev("Application.evtx", 10 + n, h, "crash", category="process", outcome="failure", severity="error",
               process="outlook.exe") for n, h in enumerate(hours)]


@pytest.mark.parametrize(("window", "verdict", "delta_hours"), [
    ((48, 72), Verdict.SUPPORTED, 2),       # first crash at 50 h: inside the window
    ((60, 72), Verdict.CONTRADICTED, -10),  # it began 10 h before the window
    ((20, 30), Verdict.CONTRADICTED, 30),   # it began 20 h after the window ended
])
def test_onset_compares_the_first_symptom_with_the_window(window, verdict, delta_hours):
    symptom = claim("crash", cid="c2", text="Outlook keeps crashing")
    onset = claim("onset", *window, cid="c1", dates="c2")
    finding = run_check(check_input(SYSLOG + APPLICATION + _crashes(50, 51, 70), onset, [symptom]))
    assert finding.verdict == verdict
    assert finding.delta_seconds == delta_hours * 3600  # observed.first - window.start
    assert finding.observed == {"first": at(50).isoformat(), "last": at(70).isoformat(), "count": 3}
    assert finding.evidence[0]["event_id"] == "Applicat:10"


def test_onset_is_inconclusive_when_the_logs_begin_after_the_window():
    symptom = claim("crash", cid="c2")
    onset = claim("onset", 10, 20, cid="c1", dates="c2")
    # the crash log begins after the window: earlier crashes cannot be ruled out
    finding = run_check(check_input(SYSLOG + _crashes(50), onset, [symptom]))
    assert finding.verdict == Verdict.INCONCLUSIVE and finding.missing
    assert "begin at" in finding.explanation


def test_onset_without_symptom_uses_the_first_burst_above_the_baseline():
    # one stray error a day is the source's baseline; the burst at 60 h is the onset
    noise = [ev("syslog", 5000 + n, h, severity="error", process="app") for n, h in enumerate((5, 29, 53))]
    burst = [ev("syslog", 6000 + n, 60 + n / 60, "service_failed", outcome="failure", severity="error",
                process="app") for n in range(8)]
    onset = claim("onset", 48, 72)
    finding = run_check(check_input(SYSLOG + noise + burst, onset))
    assert finding.verdict == Verdict.SUPPORTED
    assert finding.observed["first"] == at(60).isoformat()
    assert finding.delta_seconds == 12 * 3600


def test_onset_context_lists_what_changed_in_the_hour_before():
    upgrade = ev("history.log", 4, 49.5, "package_upgrade", category="package", outcome="success",
                 message="Upgrade: php8.2-fpm")
    old = ev("history.log", 2, 40, "package_install", category="package", outcome="success")
    symptom = claim("crash", cid="c2")
    onset = claim("onset", 48, 72, cid="c1", dates="c2")
    finding = run_check(check_input(SYSLOG + _crashes(50) + [upgrade, old], onset, [symptom]))
    assert [c["event_id"] for c in finding.context] == ["history.:4"]


def test_onset_without_a_time_is_inconclusive():
    finding = run_check(check_input(SYSLOG + _crashes(50), claim("onset")))
    assert finding.verdict == Verdict.INCONCLUSIVE


# --- slowness ----------------------------------------------------------------------------

def _cpu(level_after: float) -> list[dict]:
    return metric("sa23", 0, 80, "cpu_busy_pct", lambda h: (10 + (h * 7) % 5) if h < 60 else level_after)


def test_slowness_supported_by_metrics_above_the_host_baseline_with_causes():
    scan = ev("Defender.evtx", 1, 59.9, "av_scan", category="malware", message="full scan started")
    finding = run_check(check_input(_cpu(97) + [scan], claim("slowness", 60, 72)))
    assert finding.verdict == Verdict.SUPPORTED
    assert "cpu_busy_pct on web-01 above" in finding.explanation
    assert all(e["message"].startswith("cpu_busy_pct") for e in finding.evidence)
    assert [c["label"] for c in finding.likely_causes] == ["antivirus scan"]
    assert finding.likely_causes[0]["evidence"][0]["event_id"] == "Defender:1"


def test_slowness_contradicted_by_quiet_metrics_covering_the_window():
    finding = run_check(check_input(_cpu(12), claim("slowness", 60, 72)))
    assert finding.verdict == Verdict.CONTRADICTED
    assert finding.evidence and "peaked at" in finding.explanation


def test_slowness_without_metrics_is_inconclusive_and_names_the_source():
    finding = run_check(check_input(SYSLOG, claim("slowness", 60, 72)))
    assert finding.verdict == Verdict.INCONCLUSIVE
    assert "sysstat" in finding.missing


def test_slowness_latencies_count_like_metrics():
    rows = [ev("access.log", n, n / 10, "http_request", category="web", outcome="success", event_code="200",
               metric_name="latency_ms", metric_value=120.0 if n < 600 else 4000.0) for n in range(800)]
    finding = run_check(check_input(rows, claim("slowness", 60, 80)))
    assert finding.verdict == Verdict.SUPPORTED and "(requests)" in finding.explanation


# --- popup -------------------------------------------------------------------------------

def _chain() -> list[dict]:
    return [
        ev("History", 1, 50.0, "page_visit", category="browser", url="http://free.example.com/"),
        ev("History", 2, 50.1, "download", category="browser", url="http://free.example.com/setup.exe"),
        ev("Sysmon.evtx", 1, 50.2, "process_start", category="process",
           process="C:\\Users\\ann\\Downloads\\setup.exe", extra='{"parent_process": "C:\\\\explorer.exe"}'),
        ev("Defender.evtx", 1, 50.3, "threat_detected", category="malware", severity="warning"),
        ev("System.evtx", 1, 50.4, "service_install", category="service", message="7045 service x installed"),
    ]


def test_popup_denial_contradicted_by_the_chain_with_every_link_cited():
    rows = heartbeat("History", 0, 80, every_minutes=60, category="browser") + _chain()
    finding = run_check(check_input(rows, claim("popup", polarity="denied")))
    assert finding.verdict == Verdict.CONTRADICTED
    assert [e["event_id"] for e in finding.evidence] == ["History:1", "History:2", "Sysmon.e:1", "Defender:1",
                                                         "System.e:1"]


def test_popup_launch_by_the_browser_is_a_link():
    rows = [ev("Sysmon.evtx", 1, 50.2, "process_start", category="process", process="C:\\Tools\\x.exe",
               extra='{"parent_process": "C:\\\\Program Files\\\\Google\\\\chrome.exe"}')]
    finding = run_check(check_input(rows, claim("popup", text="a pop-up appeared")))
    assert finding.verdict == Verdict.SUPPORTED and finding.evidence[0]["event_id"] == "Sysmon.e:1"


def test_popup_denial_supported_when_browser_history_covers_and_shows_no_download():
    visits = [ev("History", n, n, "page_visit", category="browser", url="http://news.example.com/")
              for n in range(0, 81)]
    finding = run_check(check_input(visits, claim("popup", 60, 72, polarity="denied")))
    assert finding.verdict == Verdict.SUPPORTED


def test_popup_without_browser_or_process_logs_is_inconclusive():
    finding = run_check(check_input(SYSLOG, claim("popup", polarity="denied")))
    assert finding.verdict == Verdict.INCONCLUSIVE
    assert "browser history" in finding.missing


# --- outage, login, reboot, crash, change -------------------------------------------------

def _requests(start: float, end: float, status_of) -> list[dict]:
    rows = []
    for n in range(round((end - start) * 20) + 1):
        h = start + n / 20  # every 3 minutes
        status = status_of(h)
        rows.append(ev("access.log", n, h, "http_request", category="web", event_code=str(status),
                       outcome="success" if status < 400 else "failure"))
    return rows


def test_outage_supported_by_a_5xx_burst():
    rows = _requests(0, 80, lambda h: 502 if 61 <= h <= 63 else 200)
    finding = run_check(check_input(rows, claim("outage", 60, 72)))
    assert finding.verdict == Verdict.SUPPORTED
    assert finding.observed["first"] == at(61).isoformat()


def test_outage_contradicted_when_errors_stay_at_the_background_rate():
    rows = _requests(0, 80, lambda h: 503 if round(h * 20) % 100 == 0 else 200)
    finding = run_check(check_input(rows, claim("outage", 60, 72)))
    assert finding.verdict == Verdict.CONTRADICTED
    assert "usual background" in finding.explanation and finding.evidence


def test_outage_contradicted_when_requests_succeed_throughout():
    finding = run_check(check_input(_requests(0, 80, lambda h: 200), claim("outage", 60, 72)))
    assert finding.verdict == Verdict.CONTRADICTED and finding.evidence


def test_login_failures_support_and_absence_without_auth_log_is_inconclusive():
    auth = heartbeat("auth.log", 0, 80, category="auth")
    failures = [ev("auth.log", 9000 + n, 65 + n / 60, "login_failed", category="auth", outcome="failure")
                for n in range(5)]
    assert run_check(check_input(auth + failures, claim("login", 60, 72))).verdict == Verdict.SUPPORTED
    assert run_check(check_input(auth, claim("login", 60, 72))).verdict == Verdict.CONTRADICTED
    assert run_check(check_input(SYSLOG, claim("login", 60, 72))).verdict == Verdict.INCONCLUSIVE


def test_reboot_denied_is_contradicted_by_a_boot_and_supported_by_a_steady_log():
    boot = ev("syslog", 1, 65, "boot", message="Linux version 6.1")
    denied = claim("reboot", 60, 72, polarity="denied", text="it never restarted")
    finding = run_check(check_input(SYSLOG + [boot], denied))
    assert finding.verdict == Verdict.CONTRADICTED and finding.evidence[0]["event_id"] == "syslog:1"
    assert run_check(check_input(SYSLOG, denied)).verdict == Verdict.SUPPORTED


def test_reboot_in_a_gap_cannot_be_ruled_out():
    rows = heartbeat("syslog", 0, 62, every_minutes=15) + heartbeat("syslog", 70, 80, first_line=9000)
    assert run_check(check_input(rows, claim("reboot", 60, 72))).verdict == Verdict.INCONCLUSIVE


def test_crash_asserted():
    rows = SYSLOG + heartbeat("Application.evtx", 0, 80, every_minutes=60) + _crashes(20)
    assert run_check(check_input(rows + _crashes(65), claim("crash", 60, 72))).verdict == Verdict.SUPPORTED
    assert run_check(check_input(rows, claim("crash", 60, 72))).verdict == Verdict.CONTRADICTED
    assert run_check(check_input(SYSLOG, claim("crash", 60, 72))).verdict == Verdict.INCONCLUSIVE


def test_nobody_changed_anything_is_contradicted_by_an_upgrade():
    upgrade = ev("history.log", 4, 70, "package_upgrade", category="package", outcome="success",
                 fmt="apt_history", message="Upgrade: php8.2-fpm:amd64 (8.2.7-1, 8.2.18-1)")
    denied = claim("change", polarity="denied", text="nobody changed anything")
    finding = run_check(check_input(SYSLOG + [upgrade], denied))
    assert finding.verdict == Verdict.CONTRADICTED
    assert finding.evidence == [{"event_id": "history.:4", "source_file": "history.log", "source_line": 4,
                                 "timestamp": at(70).isoformat(),
                                 "message": "Upgrade: php8.2-fpm:amd64 (8.2.7-1, 8.2.18-1)",
                                 "action": "package_upgrade"}]


def test_change_denial_without_a_change_log_is_inconclusive():
    finding = run_check(check_input(SYSLOG, claim("change", polarity="denied")))
    assert finding.verdict == Verdict.INCONCLUSIVE and "apt" in finding.missing


@pytest.mark.parametrize("kind", sorted(CHECKS))
def test_every_decided_verdict_cites_an_event_and_evidence_is_capped(kind):
    rows = (SYSLOG + _crashes(*[60 + n / 10 for n in range(30)]) + _chain() + _cpu(97)
            + _requests(0, 80, lambda h: 502 if h > 61 else 200))
    others = [claim("crash", cid="c2")]
    finding = run_check(check_input(rows, claim(kind, 48, 72, dates="c2" if kind == "onset" else None), others))
    if finding.verdict != Verdict.INCONCLUSIVE:
        assert 1 <= len(finding.evidence) <= 10
    assert finding.explanation
    assert pl.Series([e["timestamp"] for e in finding.evidence]).is_sorted()


def test_onset_at_the_first_line_of_a_log_that_begins_inside_the_window_is_inconclusive():
    failures = [ev("auth.log", n, 62 + n / 60, "login_failed", category="auth", outcome="failure")
                for n in range(1, 20)]
    onset = claim("onset", 60, 72, cid="c1", dates="c2")
    finding = run_check(check_input(failures, onset, [claim("login", cid="c2")]))
    assert finding.verdict == Verdict.INCONCLUSIVE and "may have started earlier" in finding.explanation
    assert finding.delta_seconds == 2 * 3600 + 60


def test_explanations_speak_the_customer_zone():
    ci = check_input(SYSLOG + [ev("syslog", 1, 65, "boot")], claim("reboot", 60, 72))
    ci = type(ci)(ci.claim, ci.timeline, ci.reported_at, ci.claims, zone="Europe/Rome")
    assert "2026-11-22T18:00:00+01:00" in run_check(ci).explanation
