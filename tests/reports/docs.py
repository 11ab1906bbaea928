"""Report documents for the reports tests: realistic, one per situation, built fresh per call."""

from __future__ import annotations

from importlib.metadata import version

# What the evidence package writes; golden files scrub it so a release does not break them.
VERSION = version("caseline")

# Strings an attacker controls through a log line or a file name.
HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_ATTR = '"><img src=x onerror=alert(document.cookie)>'
HOSTILE_URL = "http://evil.example.com/payload.js"


def _ev(prefix: str, line: int | None, when: str, message: str, source: str, record: str | None = None) -> dict:
    event = {"event_id": f"{prefix}:{line or record}", "source_file": source, "timestamp": when,
             "message": message}
    if line is not None:
        event["source_line"] = line
    else:
        event["source_record"] = record
    return event


def _hourly(length: int, rules: dict[str, tuple[int, dict[int, int]]]) -> list[dict]:
    """Series with a steady base per category and explicit bursts at given buckets."""
    return [{"category": name, "counts": [bursts.get(i, base if i % 3 else base + 1) for i in range(length)]}
            for name, (base, bursts) in rules.items()]


def windows_laptop() -> dict:
    """A slow Windows laptop: onset contradicted, slowness supported, pop-up inconclusive,
    hostile strings in a message, a claim text and an unrecognized file name."""
    perf = "Perf/metrics.csv"
    sys_ = "Logs/System.evtx"
    defender = "Logs/Defender-Operational.evtx"
    return {
        "caseline_version": VERSION,
        "case": "ACME-4711 laptop slow",
        "reported_at": "2026-11-23T10:00:00+01:00",
        "timezone": "Europe/Rome",
        "inputs": [
            {"source_file": sys_, "source_format": "evtx", "sha256": "9f2c" + "1" * 60,
             "events": 2412, "unparsed": 0, "first": "2026-11-19T23:58:02+00:00",
             "last": "2026-11-23T08:41:55+00:00"},
            {"source_file": defender, "source_format": "evtx", "sha256": "4be0" + "2" * 60,
             "events": 318, "unparsed": 0, "first": "2026-11-20T06:00:11+00:00",
             "last": "2026-11-23T08:30:00+00:00"},
            {"source_file": perf, "source_format": "perfmon_csv", "sha256": "77aa" + "3" * 60,
             "events": 1980, "unparsed": 2, "first": "2026-11-20T00:00:00+00:00",
             "last": "2026-11-23T08:59:00+00:00"},
        ],
        "unrecognized": [
            {"source_file": f"Desktop/notes{HOSTILE_ATTR}.bin", "sha256": "00ff" + "4" * 60,
             "reason": "no format recognized (binary, 12 KB)"},
        ],
        "coverage": {"first": "2026-11-19T23:58:02+00:00", "last": "2026-11-23T08:59:00+00:00"},
        "assumptions": [
            f"{perf}: no zone in the file, read as Europe/Rome",
        ],
        "warnings": [
            f"{perf}:1441: unparsed line: 'Counter rollover {HOSTILE_SCRIPT}'",
            f"{perf}:1980: unparsed line: ',,,,'",
        ],
        "not_understood": ["ma cosa è successo?"],
        "claims": [
            {
                "id": "c1", "text": "it started two days ago", "kind": "onset",
                "polarity": "asserted", "precision": "day",
                "window": {"start": "2026-11-21T00:00:00+01:00", "end": "2026-11-22T00:00:00+01:00"},
                "verdict": "contradicted",
                "observed": {"first": "2026-11-22T21:48:10+01:00", "last": "2026-11-23T09:41:00+01:00",
                             "count": 41},
                "delta_seconds": 164890,
                "evidence": [
                    _ev("77aa3333", 1310, "2026-11-22T21:48:10+01:00", "cpu_busy_pct 97.0 (baseline 12.4)", perf),
                    _ev("9f2c1111", None, "2026-11-22T21:52:40+01:00",
                        "Service Control Manager: the SysMain service terminated unexpectedly", sys_, "88213"),
                ],
                "explanation": "The first sustained CPU saturation is on 22 Nov at 21:48, after the "
                               "stated day (21 Nov) ended; the metrics before it stay at baseline.",
            },
            {
                "id": "c2", "text": f"the PC is very slow {HOSTILE_SCRIPT}", "kind": "slowness",
                "polarity": "asserted", "window": None,
                "verdict": "supported",
                "observed": {"first": "2026-11-22T21:48:10+01:00", "last": "2026-11-23T09:41:00+01:00",
                             "count": 41},
                "delta_seconds": None,
                "evidence": [
                    _ev("77aa3333", 1310, "2026-11-22T21:48:10+01:00", "cpu_busy_pct 97.0 (baseline 12.4)", perf),
                    _ev("4be02222", None, "2026-11-22T21:47:55+01:00",
                        f"Scan started: full scan of C:\\Users\\{HOSTILE_SCRIPT} from {HOSTILE_URL}",
                        defender, "5120"),
                ],
                "context": [
                    _ev("9f2c1111", None, "2026-11-22T21:05:12+01:00",
                        "MsiInstaller: Product: Contoso Sync 4.2 -- Installation completed successfully.",
                        sys_, "88190"),
                ],
                "likely_causes": [
                    {"label": "antivirus full scan",
                     "evidence": [_ev("4be02222", None, "2026-11-22T21:47:55+01:00",
                                      "Scan started: full scan", defender, "5120")]},
                    {"label": f"new software installed {HOSTILE_ATTR}", "evidence": []},
                ],
                "explanation": "CPU above 90 % for 11 h 53 min, against a baseline of 12 %.",
            },
            {
                "id": "c3", "text": "I never clicked anything", "kind": "popup",
                "polarity": "denied",
                "window": {"start": "2026-11-20T00:00:00+01:00", "end": None},
                "verdict": "inconclusive",
                "observed": None, "delta_seconds": None, "evidence": [],
                "missing": "No browser history in the case: the Chrome History file "
                           "(AppData/Local/Google/Chrome/User Data/Default/History) would show "
                           "visits and downloads.",
                "explanation": "No source in the case records clicks, visits or downloads.",
            },
        ],
        "chart": {
            "bucket_seconds": 3600,
            "start": "2026-11-20T00:00:00+01:00",
            "end": "2026-11-23T10:00:00+01:00",
            "categories": ["performance", "system", "service", "malware", "package"],
            "series": _hourly(82, {
                "performance": (24, {i: 24 for i in range(0, 82)}),
                "system": (8, {70: 30, 71: 22}),
                "service": (2, {69: 14, 70: 9}),
                "malware": (0, {69: 6, 76: 3}),
                "package": (0, {69: 4}),
            }),
        },
    }


def linux_web_server() -> dict:
    """A web server in New York: outage supported but earlier than stated, login
    contradicted, "nobody changed anything" contradicted by an upgrade."""
    access, syslog, apt = "var/log/nginx/access.log", "var/log/syslog", "var/log/apt/history.log"
    return {
        "caseline_version": VERSION,
        "case": "shop.example.com outage",
        "reported_at": "2026-03-09T11:30:00-04:00",
        "timezone": "America/New_York",
        "inputs": [
            {"source_file": access, "source_format": "nginx_access", "sha256": "a1" * 32,
             "events": 18230, "unparsed": 0, "first": "2026-03-09T04:00:02+00:00",
             "last": "2026-03-09T15:29:58+00:00"},
            {"source_file": syslog, "source_format": "syslog", "sha256": "b2" * 32,
             "events": 5120, "unparsed": 1, "first": "2026-03-09T04:00:00+00:00",
             "last": "2026-03-09T15:29:00+00:00"},
            {"source_file": apt, "source_format": "apt_history", "sha256": "c3" * 32,
             "events": 3, "unparsed": 0, "first": "2026-03-09T10:12:44+00:00",
             "last": "2026-03-09T10:12:51+00:00"},
        ],
        "coverage": {"first": "2026-03-09T04:00:00+00:00", "last": "2026-03-09T15:29:58+00:00"},
        "assumptions": [f"{syslog}: year-less timestamps read as 2026 (from the report time)"],
        "warnings": [],
        "claims": [
            {
                "id": "c1", "text": "the site has been down since this morning", "kind": "outage",
                "polarity": "asserted",
                "window": {"start": "2026-03-09T06:00:00-04:00", "end": "2026-03-09T12:00:00-04:00"},
                "verdict": "supported",
                "observed": {"first": "2026-03-09T04:05:31-04:00", "last": "2026-03-09T11:29:40-04:00",
                             "count": 6120},
                "delta_seconds": -6869,
                "evidence": [
                    _ev("a1a1a1a1", 1022, "2026-03-09T04:05:31-04:00",
                        'GET /checkout HTTP/1.1 502 "upstream prematurely closed connection"', access),
                    _ev("b2b2b2b2", 4410, "2026-03-09T04:05:30-04:00",
                        "php-fpm.service: Main process exited, code=killed, status=9/KILL", syslog),
                ],
                "explanation": "5xx responses start at 04:05, before the stated morning window, "
                               "and continue through it.",
            },
            {
                "id": "c2", "text": "nobody changed anything", "kind": "change", "polarity": "denied",
                "window": None, "verdict": "contradicted",
                "observed": {"first": "2026-03-09T06:12:44-04:00", "last": "2026-03-09T06:12:51-04:00",
                             "count": 3},
                "delta_seconds": None,
                "evidence": [
                    _ev("c3c3c3c3", 4, "2026-03-09T06:12:44-04:00",
                        "Upgrade: php8.2-fpm:amd64 (8.2.7-1, 8.2.18-1)", apt),
                ],
                "explanation": "A package upgrade ran at 06:12, during the outage.",
            },
            {
                "id": "c3", "text": "I can't log in to the admin panel", "kind": "login",
                "polarity": "asserted",
                "window": {"start": "2026-03-09T11:00:00-04:00", "end": "2026-03-09T11:30:00-04:00"},
                "verdict": "inconclusive",
                "observed": None, "delta_seconds": None, "evidence": [],
                "missing": "The application's auth log is not in the case; /var/log/shop/auth.log "
                           "would show the admin logins.",
                "explanation": "The web server log shows requests to /admin but not their outcome.",
            },
        ],
        "chart": {
            "bucket_seconds": 900,
            "start": "2026-03-09T00:00:00-04:00",
            "end": "2026-03-09T11:30:00-04:00",
            "categories": ["web", "service", "package", "system"],
            "series": [
                {"category": "web", "counts": [40 + (i % 4) * 5 if i < 16 else 140 for i in range(46)]},
                {"category": "service", "counts": [0] * 16 + [6, 3] + [1] * 28},
                {"category": "package", "counts": [0] * 24 + [3] + [0] * 21},
                {"category": "system", "counts": [2] * 46},
            ],
        },
    }


def empty_case() -> dict:
    """No claim, no chart, most optional keys absent: the views still render."""
    return {
        "caseline_version": VERSION,
        "reported_at": "2026-01-05T09:00:00+00:00",
        "timezone": "UTC",
        "inputs": [
            {"source_file": "auth.log", "source_format": "syslog", "sha256": "d4" * 32,
             "events": 12, "unparsed": 0, "first": "2026-01-04T22:10:00+00:00",
             "last": "2026-01-05T08:55:00+00:00"},
        ],
        "coverage": {"first": "2026-01-04T22:10:00+00:00", "last": "2026-01-05T08:55:00+00:00"},
        "claims": [],
    }


ALL = {"windows_laptop": windows_laptop, "linux_web_server": linux_web_server, "empty_case": empty_case}
