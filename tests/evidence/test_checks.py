"""evidence.checks: each check on small synthetic frames, for each verdict it can give."""

from __future__ import annotations

import polars as pl
import pytest

from evidence.checks import CHECKS, Verdict, login, outage, popup, reboot, run_check
from tests.evidence.frames import REPORTED, at, check_input, claim, ev, frame, heartbeat, metric

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


def test_nobody_touched_it_is_contradicted_by_a_sudo_command_and_the_admins_login():
    auth = heartbeat("auth.log", 0, 80, category="auth", first_line=5000)
    login = ev("auth.log", 1, 70, "login", category="auth", outcome="success", user="jmorgan",
               message="Accepted publickey for jmorgan from 198.51.100.10 port 51544 ssh2")
    sudo = ev("auth.log", 2, 70.01, "privilege_use", category="auth", outcome="success", user="jmorgan",
              message="jmorgan : TTY=pts/0 ; PWD=/home/jmorgan ; USER=root ; COMMAND=/usr/sbin/shutdown -r 23:55")
    # another user's login is no administrator's intervention, nor is the same admin's desktop
    # login the day before: only the login that opened the command's session is
    other = ev("auth.log", 3, 69, "login", category="auth", outcome="success", user="deploy")
    earlier = ev("auth.log", 4, 61, "login", category="auth", outcome="success", user="jmorgan",
                 message="pam_unix(gdm-password:session): session opened for user jmorgan")
    denied = claim("change", 60, 72, polarity="denied", text="nobody touched it")
    finding = run_check(check_input(SYSLOG + auth + [earlier, login, sudo, other], denied))
    assert finding.verdict == Verdict.CONTRADICTED, finding.explanation
    assert {e["event_id"] for e in finding.evidence} == {"auth.log:1", "auth.log:2"}
    first = finding.observed["first"]
    assert (first if isinstance(first, str) else first.isoformat()).startswith(at(70).isoformat()[:19])


def test_windows_logon_privileges_alone_are_not_an_intervention():
    security = [ev("Security.evtx", n, 65 + n, "privilege_use", category="auth", outcome="success",
                   user="Administrator", event_code="4672", fmt="evtx") for n in range(3)]
    denied = claim("change", 60, 72, polarity="denied", text="nobody touched it")
    assert run_check(check_input(SYSLOG + security, denied)).verdict == Verdict.INCONCLUSIVE


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


# --- defects found by the demo cases ----------------------------------------------------------

SINCE = 82  # REPORTED in hours from T0: a "since X" window runs to the report


def _since(start: float, precision: str, dates: str) -> dict:
    onset = claim("onset", start, SINCE, cid="c1", dates=dates)
    onset["precision"] = precision
    return onset


@pytest.mark.parametrize(("first_metric", "rise", "verdict"), [
    (0, 74, Verdict.CONTRADICTED),   # two clean days after the named day, then the rise
    (0, 30, Verdict.SUPPORTED),      # the rise on the day named
    (60, 74, Verdict.INCONCLUSIVE),  # the samples begin after the named day: a late start cannot be told
])
def test_onset_since_a_day_is_judged_against_that_day(first_metric, rise, verdict):
    rows = metric("perf.csv", first_metric, SINCE, "cpu_busy_pct",
                  lambda h: 95 if h >= rise - 1e-6 else 8 + (h * 7) % 5)
    onset = _since(24, "day", dates="c2")  # "slow since Saturday" (T0 + 24 h)
    finding = run_check(check_input(rows, onset, [claim("slowness", cid="c2", text="slow since Saturday")]))
    assert finding.verdict == verdict, finding.explanation
    assert finding.observed["first"] == at(rise).isoformat()
    if verdict == Verdict.CONTRADICTED:
        assert "with no sign of it" in finding.explanation


def test_slowness_supported_by_one_sustained_episode_in_a_long_window():
    # 11 saturated samples (under 4 % of the window's samples) right before the call, a scan running
    rows = metric("perf.csv", 0, SINCE, "cpu_busy_pct", lambda h: 90 if 80 <= h < 81.8 else 6 + (h * 7) % 5)
    scan = ev("Defender.evtx", 1, 79.9, "av_scan", category="malware", message="full scan started")
    finding = run_check(check_input(rows + [scan], claim("slowness", 24, SINCE)))
    assert finding.verdict == Verdict.SUPPORTED, finding.explanation
    assert finding.observed["first"] == at(80).isoformat() and finding.observed["count"] == 11
    assert "11 consecutive samples" in finding.explanation
    assert [c["label"] for c in finding.likely_causes] == ["antivirus scan"]


def test_slowness_one_spike_is_not_an_episode_and_is_named_as_such():
    rows = metric("perf.csv", 0, SINCE, "cpu_busy_pct", lambda h: 97 if abs(h - 70) < 0.01 else 8.0)
    finding = run_check(check_input(rows, claim("slowness", 24, SINCE)))
    assert finding.verdict == Verdict.CONTRADICTED
    assert "only in 1 isolated sample" in finding.explanation and "peaked at" not in finding.explanation


def test_symptom_dated_by_an_onset_is_checked_from_that_day_to_the_report():
    rows = _requests(0, SINCE, lambda h: 503 if 78 <= h <= 80 else 200)
    onset = claim("onset", 24, 48, cid="c1", dates="c2")  # "it started two days ago": one day
    onset["precision"] = "day"
    outage_claim = claim("outage", cid="c2", text="the site is down")
    ci = check_input(rows, outage_claim, [onset])
    assert ci.window() == (at(24), REPORTED, True)
    finding = run_check(ci)
    assert finding.verdict == Verdict.SUPPORTED and finding.observed["first"] == at(78).isoformat()


def test_outage_symptom_leaves_out_client_errors():
    rows = [
        ev("error.log", 1, 10, "client_error", category="web", outcome="failure", severity="error",
           event_code="AH01630", message="AH01630: client denied by server configuration: /srv/.git/config"),
        ev("nginx.log", 2, 10, "client_error", category="web", outcome="failure", severity="error",
           message='open() "/srv/wp-login.php" failed (2: No such file or directory)'),
        ev("access.log", 3, 10, "http_request", category="web", outcome="failure", event_code="404"),
        ev("access.log", 4, 10, "http_request", category="web", outcome="failure", event_code="503"),
        ev("nginx.log", 5, 10, "connection", category="network", outcome="failure", severity="error"),
        ev("syslog", 6, 10, "service_failed", category="service", outcome="failure"),
        ev("resolver", 7, 10, "dns_query", category="network", outcome="failure"),
        ev("resolver", 8, 10, "dns_query", category="network", outcome="success"),
        # a failed request with no status says nothing about the server
        ev("error.log", 9, 10, "http_request", category="web", outcome="failure", severity="error"),
    ]
    hits = frame(rows).filter(outage.symptom())
    assert sorted(hits["event_id"].to_list()) == ["access.l:4", "nginx.lo:5", "resolver:7", "syslog:6"]


@pytest.mark.parametrize(("fmt", "text", "action"), [
    ("apache_error", "[Mon Nov 02 04:12:37.118204 2026] [authz_core:error] [pid 2211:tid 2212] [client "
     "203.0.113.77:50312] AH01630: client denied by server configuration: /var/www/book/.git/config\n",
     "client_error"),
    ("nginx_error", '2026/11/18 03:12:51 [error] 811#811: *4411 open() "/var/www/shop/wp-login.php" failed '
     '(2: No such file or directory), client: 203.0.113.50, server: shop.example.com, request: '
     '"GET /wp-login.php HTTP/1.1", host: "shop.example.com"\n', "client_error"),
    ("nginx_error", "2026/11/20 06:31:52 [error] 811#811: *9001 connect() failed (111: Connection refused) "
     "while connecting to upstream, client: 198.51.100.66, server: shop.example.com, request: \"GET / "
     "HTTP/2.0\", upstream: \"fastcgi://127.0.0.1:9000\", host: \"shop.example.com\"\n", "connection"),
])
def test_error_log_client_errors_are_typed_apart_from_outages(tmp_path, fmt, text, action):
    from tests.parsers.text_formats import parse_text, parser_for

    events, _ = parse_text(parser_for(fmt), tmp_path, text, name="error.log")
    assert events["action"].to_list() == [action]
    assert events.filter(outage.symptom()).height == (action == "connection")


def test_outage_not_supported_by_scanner_denials_alone():
    denials = [ev("error.log", 9000 + n, 65 + n, "client_error", category="web", outcome="failure",
                  severity="error", event_code="AH01630") for n in range(4)]
    finding = run_check(check_input(_requests(0, 80, lambda h: 200) + denials, claim("outage", 60, 72)))
    assert finding.verdict == Verdict.CONTRADICTED


def test_onset_is_not_dated_by_one_stray_error_before_the_burst():
    rows = (SYSLOG + _requests(0, 80, lambda h: 502 if h >= 70 or abs(h - 20) < 0.01 else 200)
            + [ev("syslog", 1, 70 - 20 / 3600, "service_failed", category="service", outcome="failure",
                  severity="error", message="php-fpm.service: Failed")])
    onset = claim("onset", 66, SINCE, cid="c1", dates="c2")  # "since this morning"
    finding = run_check(check_input(rows, onset, [claim("outage", cid="c2", text="the shop is down")]))
    assert finding.verdict == Verdict.SUPPORTED, finding.explanation
    # the burst starts with the service failing seconds before the first 502
    assert finding.observed["first"] == at(70 - 20 / 3600).isoformat()
    assert f"1 earlier event(s) of it at {at(20).isoformat()} are no burst" in finding.explanation


def _system_log() -> list[dict]:
    """Clean evenings and morning boots, then a crash restart at 66 h (a boot with no clean
    shutdown before it) and a boot at 75 h after the 70 h boot with no shutdown in between."""
    system = dict(category="system", fmt="evtx")
    rows = heartbeat("System.evtx", 8, SINCE, every_minutes=30, **system)
    for n, (action, hours, outcome) in enumerate([
            ("boot", 8, "success"), ("shutdown", 18, "success"),
            ("boot", 32, "success"), ("shutdown", 42, "success"),
            ("boot", 56, "success"),
            ("shutdown_unexpected", 66, "failure"), ("boot", 66.01, "success"),
            ("boot", 75, "success")], start=1):
        rows.append(ev("System.evtx", n, hours, action, outcome=outcome, **system))
    # the same 32 h boot seen by Security (4608) and measured by Diagnostics-Performance (100)
    rows.append(ev("Security.evtx", 1, 32.005, "boot", outcome="success", category="system", fmt="evtx"))
    rows.append(ev("Diag.evtx", 1, 32.05, "boot", outcome="success", category="performance", fmt="evtx",
                   metric_name="latency_ms", metric_value=30000.0))
    return rows


def test_boots_after_a_clean_shutdown_are_planned():
    boots = reboot.classify_boots(frame(_system_log()))
    planned = dict(zip(boots["event_id"].to_list(), boots["planned"].to_list()))
    # 8 h: the logs begin with it; 32 h (and its Security twin, not Diagnostics-Performance) and
    # 56 h: after a clean shutdown; 66 h: after an unexpected one; 75 h: the 66 h boot ran on
    assert planned == {"System.e:1": None, "System.e:3": True, "Security:1": True, "System.e:5": True,
                       "System.e:7": False, "System.e:8": False}


def test_onset_of_restarts_is_the_first_unplanned_one():
    onset = _since(48, "day", dates="c2")  # "it keeps restarting since yesterday"
    symptom = claim("reboot", cid="c2", text="it keeps restarting")
    finding = run_check(check_input(_system_log(), onset, [symptom]))
    assert finding.observed["first"] == at(66).isoformat()
    assert finding.verdict == Verdict.SUPPORTED, finding.explanation
    # "it keeps restarting by itself": the reader marks the claim unplanned
    by_itself = {**claim("reboot", 48, SINCE), "restart": "unplanned"}
    restarts = run_check(check_input(_system_log(), by_itself))
    assert restarts.verdict == Verdict.SUPPORTED
    assert {e["event_id"] for e in restarts.evidence} == {"System.e:6", "System.e:7", "System.e:8"}
    assert [c["event_id"] for c in restarts.context] == ["System.e:5"] and "planned" in restarts.explanation


def test_a_restart_the_customer_asserts_is_supported_by_a_planned_one_citing_shutdown_boot_and_order():
    # "the server was restarted last night": a clean shutdown ordered with sudo, then the boot
    rows = [r for r in _system_log() if r["timestamp"] < at(60)] + [
        ev("auth.log", 1, 41.7, "privilege_use", category="auth", outcome="success", user="jmorgan",
           message="jmorgan : TTY=pts/0 ; PWD=/home/jmorgan ; USER=root ; COMMAND=/usr/sbin/shutdown -r 42:00")]
    restarted = claim("reboot", 40, 58, text="the server was restarted last night")
    finding = run_check(check_input(rows, restarted))
    assert finding.verdict == Verdict.SUPPORTED, finding.explanation
    assert {"System.e:4", "System.e:5", "auth.log:1"} <= {e["event_id"] for e in finding.evidence}
    assert "planned" in finding.explanation and "jmorgan" in finding.explanation
    # the same restart does not support "it reboots by itself": no unplanned one in the window
    by_itself = {**restarted, "restart": "unplanned"}
    assert run_check(check_input(rows, by_itself)).verdict == Verdict.CONTRADICTED


def test_a_restart_the_customer_asserts_says_when_it_was_unplanned():
    finding = run_check(check_input(_system_log(), claim("reboot", 64, 68, text="it was restarted")))
    assert finding.verdict == Verdict.SUPPORTED
    assert "unplanned" in finding.explanation and "were planned" not in finding.explanation


def test_planned_boots_still_contradict_a_denial():
    denied = claim("reboot", 48, SINCE, polarity="denied", text="it never restarted")
    rows = [r for r in _system_log() if r["action"] not in ("shutdown_unexpected",) and r["timestamp"] < at(60)]
    assert run_check(check_input(rows, denied)).verdict == Verdict.CONTRADICTED


def test_popup_launch_leaves_out_the_browser_its_helpers_and_installed_handlers():
    chrome = "C:\\\\Program Files\\\\Google\\\\Chrome\\\\Application\\\\chrome.exe"
    temp_setup = "C:\\\\Users\\\\ann\\\\AppData\\\\Local\\\\Temp\\\\is-1.tmp\\\\setup.tmp"

    def start(line: int, image: str, parent: str) -> dict:
        return ev("Security.evtx", line, 50 + line / 100, "process_start", category="process",
                  process=image.replace("\\\\", "\\"), extra=f'{{"parent_process": "{parent}"}}')

    rows = [
        start(1, chrome, chrome),                                                    # a renderer
        start(2, "C:\\\\Program Files\\\\Adobe\\\\Acrobat DC\\\\Acrobat\\\\Acrobat.exe", chrome),  # a PDF handed over
        start(3, "C:\\\\Users\\\\ann\\\\AppData\\\\Local\\\\Microsoft\\\\Teams\\\\Teams.exe",
              "C:\\\\Windows\\\\explorer.exe"),                                      # an everyday app
        start(4, "C:\\\\Users\\\\ann\\\\Downloads\\\\setup.exe", chrome),            # the download run
        start(5, temp_setup, "C:\\\\Users\\\\ann\\\\Downloads\\\\setup.exe"),        # its unpacked stage
        start(6, "C:\\\\Users\\\\ann\\\\AppData\\\\Roaming\\\\Conv\\\\conv.exe", temp_setup),  # what it installed
        start(7, "C:\\\\Users\\\\ann\\\\AppData\\\\Local\\\\Google\\\\Chrome\\\\User Data\\\\SwReporter\\\\"
              "software_reporter_tool.exe", chrome),                                 # the browser's helper
    ]
    hits = frame(rows).filter(popup.launch())
    assert sorted(hits["event_id"].to_list()) == ["Security:4", "Security:5", "Security:6"]
    finding = run_check(check_input(rows, claim("popup", text="a pop-up appeared")))
    assert finding.observed["count"] == 3


# --- the program a claim names (claim["subject"]) ----------------------------------------------

WINDOWS = dict(fmt="evtx", category="process")
APP_LOG = heartbeat("Application.evtx", 0, 80, every_minutes=30, fmt="evtx", category="other",
                    extra='{"channel":"Application","provider":"Service"}')


def _named(subject: str | None, *window: float, polarity: str = "asserted") -> dict:
    the_claim = claim("crash", *window, polarity=polarity, text=f"{subject} keeps crashing")
    the_claim["subject"] = subject
    return the_claim


def _app_crash(line: int, hours: float, image: str) -> dict:
    """Application Error 1000: the table puts the crashing image in `process`."""
    return ev("Application.evtx", line, hours, "crash", outcome="failure", severity="error", process=image,
              extra='{"channel":"Application","provider":"Application Error"}', **WINDOWS)


def _chrome_crashes(first_line: int = 100, count: int = 12) -> list[dict]:
    return [_app_crash(first_line + n, 62 + n / 4, "chrome.exe") for n in range(count)]


def test_crash_of_a_named_program_is_judged_on_its_own_events_others_are_context():
    outlook = [_app_crash(n, 61 + n, "C:\\Program Files\\Microsoft Office\\OUTLOOK.EXE") for n in range(1, 4)]
    finding = run_check(check_input(APP_LOG + outlook + _chrome_crashes(), _named("outlook", 60, 72)))
    assert finding.verdict == Verdict.SUPPORTED
    assert finding.observed["count"] == 3
    assert {e["event_id"] for e in finding.evidence} <= {"Applicat:1", "Applicat:2", "Applicat:3"}
    assert "12 crash event(s) of other programs in the window (chrome 12)" in finding.explanation


def test_named_program_without_crashes_is_contradicted_when_the_application_log_covers():
    finding = run_check(check_input(APP_LOG + _chrome_crashes(), _named("outlook", 60, 72)))
    assert finding.verdict == Verdict.CONTRADICTED, finding.explanation
    assert "No crashes, hangs or segfaults of outlook" in finding.explanation
    assert "of other programs in the window (chrome 12)" in finding.explanation


def test_named_program_absence_is_inconclusive_when_no_log_of_its_platform_covers():
    # a Linux syslog records a segfault of another program; Outlook's crashes would be in the
    # Windows Application log, which the case does not hold
    segfault = ev("syslog", 1, 65, "segfault", category="process", outcome="failure", process="kernel",
                  extra='{"crashed_process":"chrome","crashed_pid":"4242"}')
    finding = run_check(check_input(SYSLOG + [segfault], _named("outlook", 60, 72)))
    assert finding.verdict == Verdict.INCONCLUSIVE
    assert "Windows Application log" in finding.missing
    assert "1 crash event(s) of other programs in the window (chrome 1)" in finding.explanation


def test_denied_crash_of_a_named_program_is_unaffected_by_other_programs():
    denied = _named("outlook", 60, 72, polarity="denied")
    assert run_check(check_input(APP_LOG + _chrome_crashes(), denied)).verdict == Verdict.SUPPORTED
    outlook = [_app_crash(1, 65, "OUTLOOK.EXE")]
    assert run_check(check_input(APP_LOG + outlook + _chrome_crashes(), denied)).verdict == Verdict.CONTRADICTED


def test_crash_events_name_their_program_in_process_or_in_extra():
    from evidence.checks.subject import split, subject_of

    rows = [
        _app_crash(1, 61, "OUTLOOK.EXE"),
        # Windows Error Reporting 1001: the reporter in process, the program in extra.app
        ev("Application.evtx", 2, 61.01, "crash_report", process="Windows Error Reporting",
           extra='{"channel":"Application","provider":"Windows Error Reporting","app":"OUTLOOK.EXE"}', **WINDOWS),
        # Application Hang 1002 from a CSV export that lost the event data: only the provider
        ev("Application.evtx", 3, 62, "hang", process="Application Hang",
           extra='{"channel":"Application","provider":"Application Hang"}', **WINDOWS),
        ev("syslog", 4, 63, "segfault", category="process", process="kernel", extra='{"crashed_process":"chrome"}'),
    ]
    parts = split(frame(rows), subject_of({"subject": "outlook"}))
    assert sorted(parts.mine["event_id"]) == ["Applicat:1", "Applicat:2"]
    assert parts.others["event_id"].to_list() == ["syslog:4"]
    assert parts.unnamed["event_id"].to_list() == ["Applicat:3"]


def test_a_crash_that_names_no_program_keeps_an_absence_open():
    hang = ev("Application.evtx", 3, 65, "hang", process="Application Hang", outcome="failure",
              extra='{"channel":"Application","provider":"Application Hang"}', **WINDOWS)
    finding = run_check(check_input(APP_LOG + [hang], _named("outlook", 60, 72)))
    assert finding.verdict == Verdict.INCONCLUSIVE
    assert "1 crash event(s) in the window name no program; they may be outlook's." in finding.explanation


def test_onset_of_a_named_program_is_its_first_crash_not_another_programs():
    chrome = [_app_crash(100 + n, 50 + n, "chrome.exe") for n in range(3)]
    outlook = [_app_crash(n, 61 + n, "OUTLOOK.EXE") for n in range(1, 4)]
    symptom = _named("outlook")
    symptom["id"] = "c2"
    onset = claim("onset", 60, 72, cid="c1", dates="c2")
    finding = run_check(check_input(SYSLOG + APP_LOG + chrome + outlook, onset, [symptom]))
    assert finding.verdict == Verdict.SUPPORTED, finding.explanation
    assert finding.observed["first"] == at(62).isoformat()


def _mail_log() -> list[dict]:
    return heartbeat("mail.log", 0, 80, every_minutes=15, category="service", process="postfix/smtpd")


def _outage(subject: str | None) -> dict:
    the_claim = claim("outage", 60, 72, text=f"the {subject} is down")
    the_claim["subject"] = subject
    return the_claim


def test_outage_of_a_named_service_is_judged_on_its_own_log():
    web_errors = _requests(0, 80, lambda h: 502 if 61 <= h <= 63 else 200)
    finding = run_check(check_input(_mail_log() + web_errors, _outage("mail server")))
    # the mail log runs clean through the window: the 502s of the web site are not the mail server's
    assert finding.verdict == Verdict.CONTRADICTED, finding.explanation
    assert "name no program" in finding.explanation
    deferred = [ev("mail.log", 9000 + n, 65 + n / 30, "mail_deferred", category="service", outcome="failure",
                   process="postfix/smtp") for n in range(6)]
    finding = run_check(check_input(_mail_log() + web_errors + deferred, _outage("mail server")))
    assert finding.verdict == Verdict.SUPPORTED
    assert finding.observed["count"] == 6


def test_outage_of_a_thing_no_log_names_counts_every_failure_and_says_so():
    web_errors = _requests(0, 80, lambda h: 502 if 61 <= h <= 63 else 200)
    finding = run_check(check_input(web_errors, _outage("booking site")))
    assert finding.verdict == Verdict.SUPPORTED
    assert "'booking site', which no log field identifies" in finding.explanation


def test_slowness_of_a_named_program_says_the_metrics_are_the_hosts():
    slow = claim("slowness", 60, 72)
    slow["subject"] = "excel"
    finding = run_check(check_input(_cpu(97), slow))
    assert finding.verdict == Verdict.SUPPORTED
    assert "whole host's measures, not excel's own" in finding.explanation


# --- login: the account named, scanners left out, the number of tries said --------------------

SECURITY = heartbeat("Security.evtx", 0, 80, every_minutes=60, category="auth", fmt="evtx", user="SYSTEM",
                     action="login", outcome="success")


def _failure(line: int, hours: float, user: str, action: str = "login_failed", **fields) -> dict:
    return ev("Security.evtx", line, hours, action, category="auth", outcome="failure", fmt="evtx", user=user,
              **fields)


def _tries(limit: int, *window: float, user: str | None = None) -> dict:
    the_claim = claim("login", *window, text="I only typed my password once")
    the_claim["attempts"], the_claim["subject"] = limit, user
    return the_claim


def _lockout() -> list[dict]:
    """Five bad passwords for dpatel within a minute at 65 h, then the lockout (4740)."""
    return ([_failure(100 + n, 65 + n / 360, "dpatel", event_code="4625") for n in range(5)]
            + [_failure(105, 65 + 5 / 360, "dpatel", "account_locked", event_code="4740")])


def test_more_failed_tries_than_said_contradict_and_are_cited():
    finding = run_check(check_input(SECURITY + _lockout(), _tries(1, 60, 72)))
    assert finding.verdict == Verdict.CONTRADICTED, finding.explanation
    assert [e["event_id"] for e in finding.evidence] == [f"Security:{n}" for n in range(100, 106)]
    assert finding.explanation.startswith("5 failed login(s) for dpatel")
    assert "then the account was locked" in finding.explanation


def test_as_many_failed_tries_as_said_support():
    finding = run_check(check_input(SECURITY + _lockout(), _tries(5, 60, 72)))
    assert finding.verdict == Verdict.SUPPORTED and finding.evidence


def test_tries_are_counted_per_sitting_and_per_account():
    # one typo then a logon on Thursday, another later: two sittings of one try each
    rows = SECURITY + [_failure(1, 61, "ann"), ev("Security.evtx", 2, 61.01, "login", category="auth",
                                                     outcome="success", fmt="evtx", user="ANN"),
                       _failure(3, 62, "ann")]
    # other accounts' failures are not the customer's tries when the claim names the account
    rows += [_failure(10 + n, 63 + n / 100, "bob") for n in range(4)]
    assert run_check(check_input(rows, _tries(1, 60, 72, user="ann"))).verdict == Verdict.SUPPORTED
    assert run_check(check_input(rows, _tries(1, 60, 72, user="bob"))).verdict == Verdict.CONTRADICTED


def test_a_count_without_a_window_counts_the_tries_of_the_statements_login():
    locked = claim("login", 60, 72, cid="c1", text="I got locked out this morning")
    counted = _tries(1)
    counted["id"] = "c2"
    # the failures sit in the lockout's window, more than a day before the report
    finding = run_check(check_input(SECURITY + _lockout(), counted, [locked]))
    assert finding.verdict == Verdict.CONTRADICTED


def test_tries_without_an_authentication_log_are_inconclusive():
    finding = run_check(check_input(SYSLOG, _tries(1, 60, 72)))
    assert finding.verdict == Verdict.INCONCLUSIVE and "4625" in finding.missing


AUTH_LOG = """\
Nov 20 03:14:09 git-01 sshd[23374]: Invalid user admin from 192.0.2.201 port 58886
Nov 20 03:14:10 git-01 sshd[23374]: pam_unix(sshd:auth): check pass; user unknown
Nov 20 03:14:10 git-01 sshd[23374]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.201
Nov 20 03:14:12 git-01 sshd[23374]: Failed password for invalid user admin from 192.0.2.201 port 58886 ssh2
Nov 20 08:47:20 git-01 sshd[39266]: Accepted password for deploy from 203.0.113.40 port 55181 ssh2
Nov 20 09:10:00 git-01 sshd[4000]: Failed password for root from 198.51.100.9 port 40000 ssh2
Nov 20 10:12:31 git-01 sshd[35738]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.40  user=deploy
Nov 20 10:12:33 git-01 sshd[35738]: Failed password for deploy from 203.0.113.40 port 57644 ssh2
Nov 20 10:12:36 git-01 sshd[17184]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.40  user=deploy
Nov 20 10:12:38 git-01 sshd[17184]: Failed password for deploy from 203.0.113.40 port 46971 ssh2
"""


@pytest.fixture
def auth_log(tmp_path) -> pl.DataFrame:
    from tests.parsers.text_formats import parse_text, parser_for

    events, _ = parse_text(parser_for("syslog"), tmp_path, AUTH_LOG, name="auth.log", tz="UTC")
    return events


def test_sshd_marks_failures_for_accounts_that_do_not_exist(auth_log):
    marked = auth_log.filter(login.unknown_user())["source_line"].to_list()
    assert marked == [1, 4]
    # the pam line of the same connection names no user: it belongs to the scanner's attempt
    assert sorted(auth_log.filter(pl.col("event_id").is_in(login.scanner_ids(auth_log).implode()))
                  ["source_line"].to_list()) == [1, 3, 4]


def test_login_failures_are_the_named_accounts_scanners_never(auth_log):
    named = login.failures_for(auth_log, {"subject": "deploy"})
    assert named.account == "deploy"
    assert named.mine["source_line"].to_list() == [7, 8, 9, 10]
    assert named.others["source_line"].to_list() == [6]
    anyone = login.failures_for(auth_log, {"subject": None})
    assert anyone.mine["source_line"].to_list() == [6, 7, 8, 9, 10]
    # an account no log names: every real account's failures, and the finding says so
    unknown = login.failures_for(auth_log, {"subject": "mallory"})
    assert unknown.account is None and "'mallory'" in unknown.note and unknown.mine.height == 5
    # one sshd connection logs a try twice (pam and sshd): it counts once
    assert login.tries(auth_log, named.mine)["source_line"].to_list() == [8, 10]


def test_onset_of_a_named_accounts_failures_ignores_earlier_scanners(auth_log):
    rows = auth_log.to_dicts() + heartbeat("auth.log", 0, 82, every_minutes=30, category="auth", first_line=5000)
    symptom = claim("login", cid="c2", text="our deploy user cannot log in")
    symptom["subject"] = "deploy"
    onset = claim("onset", 6, SINCE, cid="c1", dates="c2")  # "since this morning" (06:00)
    finding = run_check(check_input(rows, onset, [symptom]))
    # the scanner at 03:14 is no sign of the deploy user's trouble
    assert finding.verdict == Verdict.SUPPORTED, finding.explanation
    assert finding.observed["first"] == "2026-11-20T10:12:31+00:00"
    assert finding.evidence[0]["source_line"] == 7
    # over the whole day the scanner's lines are mentioned, not counted
    login_finding = run_check(check_input(rows, claim("login", 0, SINCE) | {"subject": "deploy"}))
    assert login_finding.verdict == Verdict.SUPPORTED
    assert login_finding.observed["first"].startswith("2026-11-20T10:12:31")
    assert "3 failure line(s) in the window are attempts on accounts that do not exist" in login_finding.explanation
    assert "1 failure(s) of other accounts in the window (root 1)" in login_finding.explanation


# --- an onset whose symptom never shows while its logs run healthy ----------------------------

def test_onset_contradicted_by_healthy_activity_through_the_window():
    onset = claim("onset", 60, SINCE, cid="c1", dates="c2")  # "down since last night"
    symptom = claim("outage", cid="c2", text="the site is down")
    finding = run_check(check_input(_requests(0, SINCE, lambda h: 200), onset, [symptom]))
    assert finding.verdict == Verdict.CONTRADICTED, finding.explanation
    assert "no sign of outage" in finding.explanation
    # the healthy requests at the start of the window are cited
    assert finding.evidence[0]["timestamp"] == at(60).isoformat()
    assert len(finding.evidence) == 3


def test_onset_without_its_symptom_stays_open_when_the_logs_do_not_cover():
    onset = claim("onset", 60, SINCE, cid="c1", dates="c2")
    symptom = claim("outage", cid="c2", text="the site is down")
    # the access log stops at 70 h: the time after it cannot be told
    finding = run_check(check_input(_requests(0, 70, lambda h: 200), onset, [symptom]))
    assert finding.verdict == Verdict.INCONCLUSIVE
    # no source that could show an outage at all
    assert run_check(check_input(SYSLOG, onset, [symptom])).verdict == Verdict.INCONCLUSIVE


def test_tries_typed_into_a_locked_account_are_not_counted_before_the_lockout():
    after = [_failure(200 + n, 65.1 + n / 100, "dpatel", event_code="4625") for n in range(3)]
    finding = run_check(check_input(SECURITY + _lockout() + after, _tries(5, 60, 72)))
    assert finding.verdict == Verdict.SUPPORTED, finding.explanation
    assert finding.explanation.startswith("5 failed login(s) for dpatel")


# --- popup: denial covered by history and process log; pop-ups the browser opened itself ------

CHROME_DIR = "C:\\\\Program Files\\\\Google\\\\Chrome\\\\Application\\\\"


def _visit(line: int, hours: float, transition: str = "typed") -> dict:
    return ev("History", line, hours, "page_visit", category="browser", url=f"https://site{line}.example.com/",
              extra=f'{{"transition": "{transition}"}}')


def _start(line: int, hours: float, image: str, parent: str = "C:\\\\Windows\\\\explorer.exe") -> dict:
    return ev("Security.evtx", line, hours, "process_start", category="process", process=image.replace("\\\\", "\\"),
              extra=f'{{"parent_process": "{parent}"}}')


def _office_week() -> list[dict]:
    """Visits every working hour from 0 h (history kept), a process log from 40 h, no download."""
    visits = [_visit(n, n) for n in range(0, 80, 2)]
    starts = [_start(n, 40 + n / 2, "C:\\\\Windows\\\\System32\\\\notepad.exe") for n in range(0, 80)]
    return visits + starts


def test_popup_denial_supported_by_a_kept_history_and_a_process_log_without_launches():
    finding = run_check(check_input(_office_week(), claim("popup", polarity="denied", text="I never downloaded anything"),
                                    reported=at(80)))
    assert finding.verdict == Verdict.SUPPORTED
    # the covering evidence (each source's first and last row in the time both record), no old visit
    assert {e["event_id"] for e in finding.evidence} == {"History:40", "History:78", "Security:0", "Security:79"}


def test_popup_denial_stays_open_when_the_process_log_stops_before_the_window_ends():
    rows = [r for r in _office_week() if r["source_file"] == "History" or r["timestamp"] < at(60)]
    finding = run_check(check_input(rows, claim("popup", 50, 80, polarity="denied"), reported=at(80)))
    assert finding.verdict == Verdict.INCONCLUSIVE


def test_popup_denial_stays_open_when_the_history_was_cleared_before_the_window():
    rows = [r for r in _office_week() if r["source_file"] != "History" or r["timestamp"] > at(70)]
    finding = run_check(check_input(rows, claim("popup", 50, 80, polarity="denied"), reported=at(80)))
    assert finding.verdict == Verdict.INCONCLUSIVE
    assert not any(e["event_id"].startswith("History") for e in finding.evidence)


def test_popup_asserted_supported_by_a_notification_click_and_the_page_the_browser_opened():
    click = _start(900, 71.0, CHROME_DIR + "notification_helper.exe", "C:\\\\Windows\\\\System32\\\\svchost.exe")
    rows = _office_week() + [click, _visit(901, 71.001, "auto_toplevel"), _visit(902, 71.002, "auto_toplevel")]
    finding = run_check(check_input(rows, claim("popup", text="a pop-up appeared"), reported=at(80)))
    assert finding.verdict == Verdict.SUPPORTED
    assert [e["event_id"] for e in finding.evidence] == ["Security:900", "History:901", "History:902"]


def test_popup_asserted_by_ordinary_browsing_alone_stays_open_and_cites_no_old_visit():
    finding = run_check(check_input(_office_week(), claim("popup", text="a pop-up appeared"), reported=at(80)))
    assert finding.verdict == Verdict.INCONCLUSIVE
    assert finding.evidence == []


# --- slowness: the same hours of earlier days are the baseline ---------------------------------

def _office_load(morning_today: float) -> list[dict]:
    """load_1m 0.3 at night and about 3 in office hours every day; today's morning as given."""
    def value(h: float) -> float:
        if not 6 <= h % 24 < 11:
            return 0.3
        return morning_today if h >= 72 else 2.8 + (h * 7) % 5 / 10
    return metric("sa", 0, 82, "load_1m", value)


def test_slowness_office_hours_at_the_level_of_earlier_mornings_are_contradicted():
    finding = run_check(check_input(_office_load(3.1), claim("slowness", 78, 82)))
    assert finding.verdict == Verdict.CONTRADICTED
    assert "same hours of 3 earlier day(s)" in finding.explanation


def test_slowness_above_the_same_hours_of_earlier_days_is_supported():
    finding = run_check(check_input(_office_load(7.5), claim("slowness", 78, 82)))
    assert finding.verdict == Verdict.SUPPORTED


# --- login: "nobody logged in" is about successful logins -------------------------------------

def _accepted(line: int, hours: float, user: str, address: str) -> dict:
    return ev("auth.log", line, hours, "login", category="auth", outcome="success", fmt="syslog", user=user,
              src_ip=address, process="sshd", message=f"Accepted publickey for {user} from {address}")


def _weekend(*extra: dict) -> list[dict]:
    """auth.log ticking all along, the admin logging in on weekdays from the office address."""
    office = [_accepted(10 + n, 8 + 24 * n, "admin", "198.51.100.10") for n in range(2)]
    return heartbeat("auth.log", 0, 80, every_minutes=30, category="auth", fmt="syslog") + office + list(extra)


def _nobody_logged_in() -> dict:
    the_claim = claim("login", 48, 80, polarity="denied", text="Nobody logged in over the weekend")
    the_claim["sense"] = "access"
    return the_claim


def test_nobody_logged_in_is_contradicted_by_a_successful_login_from_a_new_address():
    stranger = _accepted(99, 58.2, "deploy", "203.0.113.45")
    finding = run_check(check_input(_weekend(stranger), _nobody_logged_in()))
    assert finding.verdict == Verdict.CONTRADICTED
    assert [e["event_id"] for e in finding.evidence] == ["auth.log:99"]
    assert "203.0.113.45" in finding.explanation


def test_nobody_logged_in_is_supported_when_only_failures_fill_the_covered_window():
    scanner = ev("auth.log", 98, 60, "login_failed", category="auth", outcome="failure", fmt="syslog", user="root")
    finding = run_check(check_input(_weekend(scanner), _nobody_logged_in()))
    assert finding.verdict == Verdict.SUPPORTED


def test_a_login_claim_without_access_sense_still_counts_failures_not_successes():
    stranger = _accepted(99, 58.2, "deploy", "203.0.113.45")
    failure_claim = claim("login", 48, 80, polarity="denied", text="I have no trouble logging in")
    finding = run_check(check_input(_weekend(stranger), failure_claim))
    assert finding.verdict == Verdict.SUPPORTED


# --- a named server ("the file server"): its connections, not other traffic ---------------------

def _conn(line: int, hours: float, port: str, ok: bool, service: str = "") -> dict:
    extra = f'{{"id.resp_p": "{port}"' + (f', "service": "{service}"' if service else "") + "}"
    return ev("conn.log", line, hours, "connection", category="network", outcome="success" if ok else "failure",
              fmt="zeek", extra=extra, message=f"conn -> :{port}")


def _branch() -> list[dict]:
    """SMB answered every 20 min until 61.8 h, then fails; a chat port the firewall drops fails now and then."""
    smb = [_conn(100 + n, 48 + n / 3, "445", True, "smb") for n in range(42)]
    down = [_conn(200 + n, 62 + n / 6, "445", False) for n in range(12)]
    chat = [_conn(300 + n, h, "5222", False) for n, h in enumerate((30, 40, 55, 56, 57))]
    return smb + down + chat


def _cant_reach(subject: str = "file server") -> tuple[dict, dict]:
    outage = claim("outage", cid="c2", text=f"can't reach the {subject}")
    outage["subject"] = subject
    onset = claim("onset", 54, 66, cid="c1", dates="c2", text="since this morning")
    onset["precision"] = "hour"
    return onset, outage


def test_onset_of_a_named_server_is_dated_by_its_own_failures_and_its_answers_contradict_the_start():
    onset, outage = _cant_reach()
    finding = run_check(check_input(_branch(), onset, [outage], reported=at(66)))
    assert finding.observed["first"] == at(62).isoformat()
    assert finding.verdict == Verdict.CONTRADICTED
    # the first failures and the last answers before them
    ids = [e["event_id"] for e in finding.evidence]
    assert "conn.log:200" in ids and "conn.log:141" in ids and not any(i.startswith("conn.log:3") for i in ids)


def test_outage_of_a_named_server_counts_only_its_connections():
    _, outage = _cant_reach()
    outage["window"] = {"start": at(50).isoformat(), "end": at(58).isoformat()}
    # only the chat port failed in that window: the file server answered throughout
    finding = run_check(check_input(_branch(), outage, reported=at(66)))
    assert finding.verdict == Verdict.CONTRADICTED


# --- a kind of service said in general ("the database"): the programs that serve it ----------

def _oom_kill(line: int, hours: float, victim: str) -> dict:
    return ev("syslog", line, hours, "oom_kill", category="process", outcome="failure", severity="error",
              process="kernel", extra=f'{{"victim":"{victim}"}}', message=f"Out of memory: Killed process ({victim})")


def _unit_failed(line: int, hours: float, unit: str) -> dict:
    return ev("syslog", line, hours, "crash", category="process", outcome="failure", severity="error",
              process="systemd", extra=f'{{"unit":"{unit}"}}', message=f"{unit}: Failed with result 'oom-kill'.")


@pytest.mark.parametrize("said", ["database", "base de datos", "datenbank", "base de données", "db"])
def test_the_database_is_judged_on_the_database_servers_own_crashes(said):
    rows = SYSLOG + [_oom_kill(1, 61, "mysqld"), _unit_failed(2, 61.01, "postgresql@16-main.service"),
                     _unit_failed(3, 62, "mysql.service"), _oom_kill(4, 63, "chrome")]
    finding = run_check(check_input(rows, _named(said, 60, 72)))
    assert finding.verdict == Verdict.SUPPORTED
    assert finding.observed["count"] == 3
    assert "(chrome 1)" in finding.explanation


@pytest.mark.parametrize(("said", "image"), [("web server", "w3wp.exe"), ("server web", "apache2"),
                                             ("mail server", "dovecot"), ("servidor de correo", "postfix@-.service")])
def test_web_and_mail_servers_name_their_programs(said, image):
    from evidence.checks.subject import subject_of
    subject = subject_of({"subject": said})
    hit = frame([ev("syslog", 1, 1, "crash", process="systemd", extra=f'{{"unit":"{image}"}}')])
    assert hit.filter(subject.matches()).height == 1


# --- "someone logged in remotely": remote logons only, never the system's own -----------------

def _logon(line: int, hours: float, user: str, logon_type: str, address: str | None = None) -> dict:
    return ev("Security.evtx", line, hours, "login", category="auth", outcome="success", fmt="evtx",
              event_code="4624", user=user, src_ip=address, extra=f'{{"channel":"Security","logon_type":"{logon_type}"}}')


def _pc_overnight(*extra: dict) -> list[dict]:
    """A Security log ticking all along; the owner's console logons and SYSTEM's service logons."""
    tick = heartbeat("Security.evtx", 0, 80, every_minutes=30, category="auth", fmt="evtx")
    own = [_logon(10 + n, 9 + 24 * n, "lucia", "2", "127.0.0.1") for n in range(3)]
    return tick + own + list(extra)


def _someone_got_in(remote: bool) -> dict:
    the_claim = claim("login", 60, 70, text="someone logged in remotely last night")
    the_claim["sense"] = "access"
    if remote:
        the_claim["remote"] = True
    return the_claim


def test_service_and_system_logons_are_nobody_logging_in():
    system = [_logon(30, 61, "SYSTEM", "5"), _logon(31, 62, "NT AUTHORITY\\NETWORK SERVICE", "5"),
              _logon(32, 63, "PC-LUCIA$", "3", "192.0.2.4"), _logon(33, 64, "DWM-1", "2")]
    finding = run_check(check_input(_pc_overnight(*system), _someone_got_in(remote=False)))
    assert finding.verdict == Verdict.CONTRADICTED
    console = _logon(34, 65, "lucia", "2", "127.0.0.1")
    finding = run_check(check_input(_pc_overnight(*system, console), _someone_got_in(remote=False)))
    assert finding.verdict == Verdict.SUPPORTED and finding.observed["count"] == 1


def test_a_remote_login_claim_counts_only_logons_from_other_machines():
    local = [_logon(30, 61, "SYSTEM", "5"), _logon(31, 61.5, "lucia", "2", "127.0.0.1"),
             _logon(32, 61.7, "lucia", "3", "::1")]
    finding = run_check(check_input(_pc_overnight(*local), _someone_got_in(remote=True)))
    assert finding.verdict == Verdict.CONTRADICTED
    rdp = ev("RemoteConnectionManager.evtx", 41, 62.1, "login", category="auth", outcome="success", fmt="evtx",
             event_code="1149", user="lucia", src_ip="203.0.113.77")
    remote = [_logon(40, 62, "lucia", "3", "203.0.113.77"), rdp, _logon(42, 62.2, "lucia", "10", "203.0.113.77"),
              _accepted(43, 63, "deploy", "198.51.100.7"), _accepted(44, 63.5, "deploy", "127.0.0.1")]
    finding = run_check(check_input(_pc_overnight(*local, *remote), _someone_got_in(remote=True)))
    assert finding.verdict == Verdict.SUPPORTED
    assert finding.observed["first"] == at(62).isoformat() and finding.observed["count"] == 4
    assert {e["event_id"] for e in finding.evidence} <= {"Security:40", "RemoteCo:41", "Security:42", "auth.log:43"}


def test_a_kernel_panic_is_the_machine_crashing():
    # "the server did not crash last night": a panic in the night contradicts it, whatever the
    # application logs say; with no program named, system crashes count as crashes
    panic = ev("syslog", 500, 66, "kernel_panic", severity="critical", process="kernel",
               message="Kernel panic - not syncing: Fatal exception")
    rows = SYSLOG + [panic]
    denied = claim("crash", 60, 72, polarity="denied", text="the server did not crash last night")
    finding = run_check(check_input(rows, denied))
    assert finding.verdict == Verdict.CONTRADICTED
    assert [e["event_id"] for e in finding.evidence] == ["syslog:500"]
    asserted = run_check(check_input(rows, claim("crash", 60, 72, text="the server crashed last night")))
    assert asserted.verdict == Verdict.SUPPORTED


def _every(kind: str, every: str, start: float, end: float) -> dict:
    said = claim(kind, start, end, text=f"{kind} every {every}")
    return {**said, "recurring": True, "every": every}


def test_every_morning_is_judged_on_the_mornings_only():
    rows = SYSLOG + heartbeat("Application.evtx", 0, 80, every_minutes=60) + _crashes(2)  # a night crash
    mornings = _every("crash", "morning", 6, 80)
    # crashes only in the evenings (20:00 on the customer's clock, UTC here): none on a morning
    evenings = run_check(check_input(rows + _crashes(20, 44, 68), mornings))
    assert evenings.verdict == Verdict.CONTRADICTED
    assert "morning hours only (06:00-12:00 each day)" in evenings.explanation
    # the same crashes without "every morning" support a crash in the window
    assert run_check(check_input(rows + _crashes(20, 44, 68), claim("crash", 6, 80))).verdict == Verdict.SUPPORTED
    finding = run_check(check_input(rows + _crashes(20, 32.5, 56.5), mornings))
    assert finding.verdict == Verdict.SUPPORTED
    cited = {e["timestamp"] for e in finding.evidence}
    assert at(32.5).isoformat() in cited and at(20).isoformat() not in cited
    assert "on 2 of the 4 mornings" in finding.explanation  # Nov 20-23 from 06:00; crashes on the 21st and 22nd
    nights = run_check(check_input(rows + _crashes(20, 32.5), _every("crash", "night", 0, 80)))
    assert "on 1 of the 4 nights" in nights.explanation  # 02:00 on the 20th: the night that began on the 19th


def test_occurrences_follow_the_customers_clock_and_wrap_past_midnight():
    from datetime import datetime, timezone
    from evidence.checks.model import occurrence_filter
    stamps = [datetime(2026, 11, 23, h, 30, tzinfo=timezone.utc) for h in range(24)]  # a Monday, UTC
    events = pl.DataFrame({"timestamp": stamps})

    def hours(every: str, zone: str) -> list[int]:
        return [t.hour for t in events.filter(occurrence_filter(every, zone))["timestamp"]]

    assert hours("morning", "UTC") == list(range(6, 12))
    assert hours("morning", "America/Chicago") == list(range(12, 18))  # 06:00-12:00 CST = UTC-6
    assert hours("night", "UTC") == [0, 1, 2, 3, 4, 5, 22, 23]
    assert hours("monday", "UTC") == list(range(24))
    assert hours("monday", "Asia/Tokyo") == list(range(15))  # Tuesday from 15:00 UTC in Tokyo
    assert occurrence_filter("day", "UTC") is None and occurrence_filter(None, "UTC") is None


def _cpu_by_hour(busy_hours: range, high: float = 96.0, low: float = 12.0) -> list[dict]:
    """CPU samples every 10 minutes from hour 0 to 200 (over a week), high in the given hours of
    each day (UTC, the customer's clock here) and low otherwise."""
    return metric("perf.csv", 0, 200, "cpu_busy_pct", lambda h: high if int(h) % 24 in busy_hours else low)


def test_slow_every_morning_is_judged_on_the_mornings_against_earlier_mornings():
    mornings = _every("slowness", "morning", 174, 200)  # the last mornings before the report
    evening_load = run_check(check_input(_cpu_by_hour(range(19, 22)), mornings, reported=at(200)))
    assert evening_load.verdict == Verdict.CONTRADICTED
    assert "morning hours only" in evening_load.explanation
    # the same evening load supports a slowness claim over the whole span
    assert run_check(check_input(_cpu_by_hour(range(19, 22)), claim("slowness", 174, 200),
                                 reported=at(200))).verdict == Verdict.SUPPORTED
    morning_load = run_check(check_input(_cpu_by_hour(range(8, 10)), mornings, reported=at(200)))
    assert morning_load.verdict == Verdict.SUPPORTED
    assert "morning hours only" in morning_load.explanation
