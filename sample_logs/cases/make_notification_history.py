"""Writes the Chrome History of popup_benachrichtigung_de (sample_logs/cases/*/logs): visits only, no download.

Run from anywhere: `python sample_logs/cases/make_notification_history.py`. The output is committed too, so
the README commands work from a fresh clone; the table layout and the transition codes are those of
make_binaries.py, so both Histories are read the same way.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
HISTORY = HERE / "popup_benachrichtigung_de" / "logs" / "Users" / "kbauer" / "AppData" / "Local" / "Google" / \
    "Chrome" / "User Data" / "Default" / "History"
BERLIN = ZoneInfo("Europe/Berlin")
WEBKIT_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)


def _sibling(name: str):
    spec = importlib.util.spec_from_file_location(f"_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_BASE = _sibling("make_binaries")
SCHEMA = _BASE.SCHEMA
LINK, TYPED, AUTO_BOOKMARK, AUTO_TOPLEVEL = _BASE.LINK, _BASE.TYPED, _BASE.AUTO_BOOKMARK, _BASE.AUTO_TOPLEVEL
FORM_SUBMIT, FROM_ADDRESS_BAR = _BASE.FORM_SUBMIT, _BASE.FROM_ADDRESS_BAR
CHAIN_START, CHAIN_END, CLIENT_REDIRECT, SERVER_REDIRECT = (_BASE.CHAIN_START, _BASE.CHAIN_END,
                                                            _BASE.CLIENT_REDIRECT, _BASE.SERVER_REDIRECT)
WHOLE = CHAIN_START | CHAIN_END
BAR = TYPED | FROM_ADDRESS_BAR | WHOLE


def webkit(day: int, hour: int, minute: int, second: int) -> int:
    """Microseconds since 1601-01-01 UTC for a Berlin wall-clock time on November `day`, 2026
    (days below 1 count back into October: 0 is October 31)."""
    moment = datetime(2026, 11, 1, hour, minute, second, tzinfo=BERLIN) + timedelta(days=day - 1)
    return (moment - WEBKIT_EPOCH) // timedelta(microseconds=1)


INTRANET = ("https://intranet.example.org/kanzlei/", "Kanzlei-Intranet - Steuerkanzlei Example")
MAIL = ("https://mail.example.com/owa/#path=/mail/inbox", "Posteingang - k.bauer@example.com - Outlook")
NEWS = ("https://www.nachrichten.example.com/", "Nachrichten Example - Aktuelle Meldungen")


def _workday(day: int, lunch_url: str, lunch_title: str) -> list:
    return [
        ((day, 7, 48, 12), *INTRANET, BAR, False, 300),
        ((day, 7, 49, 3), *MAIL, AUTO_BOOKMARK | WHOLE, False, 3600),
        ((day, 10, 12, 40), "https://portal.example.com/mandanten/suche", "Mandantenportal - Suche", AUTO_BOOKMARK | WHOLE, False, 420),
        ((day, 12, 31, 5), *NEWS, BAR, False, 180),
        ((day, 12, 33, 20), lunch_url, lunch_title, LINK | WHOLE, True, 240),
    ]


# the four weeks before: the same working days, so the History covers the month before the pop-up
HEADLINES = ["Bahnstreik: Was Pendler wissen müssen", "Herbstferien: Staus erwartet", "Zinsentscheid der EZB",
             "Neue Regeln für die Grundsteuer", "Wetter: Erster Frost im Flachland", "Steuertermine im November"]
EARLIER = [day for day in range(-18, 7) if (datetime(2026, 11, 1) + timedelta(days=day - 1)).weekday() < 5]

# (day, h, m, s), url, title, transition, follows the previous visit, duration s
VISITS = [
    *(visit for number, day in enumerate(EARLIER) for visit in _workday(
        day, f"https://www.nachrichten.example.com/artikel/{4100 + number}", HEADLINES[number % len(HEADLINES)])),
    *_workday(9, "https://www.nachrichten.example.com/wirtschaft/grundsteuer-2026", "Grundsteuer: Was sich 2026 ändert"),
    *_workday(10, "https://www.nachrichten.example.com/sport/bundesliga-11-spieltag", "Bundesliga: Der 11. Spieltag"),
    # the lunch-break search that led to a sweepstakes page asking to "allow" notifications
    ((10, 12, 37, 44), "https://suche.example.com/search?q=iphone+16+gewinnspiel", "iphone 16 gewinnspiel - Suche", BAR, False, 20),
    ((10, 12, 38, 2), "https://gewinnspiel-aktuell.example.org/iphone16/?utm_source=suche", "Herzlichen Glückwunsch! Sie wurden ausgewählt", LINK | WHOLE, True, 38),
    ((10, 12, 38, 40), "https://gewinnspiel-aktuell.example.org/bestaetigen.html", "Klicken Sie auf \u201eZulassen\u201c, um zu bestätigen, dass Sie kein Roboter sind", LINK | CLIENT_REDIRECT | WHOLE, True, 21),
    *_workday(11, "https://www.nachrichten.example.com/panorama/wetter-wochenende", "Wetter: Das Wochenende wird stürmisch"),
    ((11, 15, 2, 19), "https://www.elster.example.org/eportal/start", "Mein ELSTER - Startseite", BAR, False, 900),
    *_workday(12, "https://www.nachrichten.example.com/politik/haushalt-2027", "Haushalt 2027 beschlossen"),
    ((13, 7, 51, 40), *INTRANET, BAR, False, 240),
    ((13, 7, 52, 30), *MAIL, AUTO_BOOKMARK | WHOLE, False, 3600),
    ((13, 11, 5, 11), "https://portal.example.com/mandanten/suche", "Mandantenportal - Suche", AUTO_BOOKMARK | WHOLE, False, 600),
    # a click on the desktop notification: Chrome opens the site's target in a new tab
    ((13, 14, 22, 30), "https://klick.push-dienst.example.org/c?n=8841&sid=b71e", "", AUTO_TOPLEVEL | CHAIN_START, False, 0),
    ((13, 14, 22, 31), "https://sicherheitscenter-pc.example.org/warnung/?pid=8841&src=push",
     "Windows-Sicherheit: Ihr PC ist mit (5) Viren infiziert!", AUTO_TOPLEVEL | SERVER_REDIRECT | CHAIN_END, True, 95),
    ((13, 14, 25, 2), "https://intranet.example.org/kanzlei/helpdesk/neu", "IT-Ticket anlegen", BAR, False, 260),
    ((13, 14, 29, 20), "https://intranet.example.org/kanzlei/helpdesk/ticket/2291", "Ticket #2291 - Pop-up Virenwarnung", FORM_SUBMIT | WHOLE, True, 60),
]


def write_history(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + "-journal")):
        stale.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO meta VALUES (?, ?)", [("mmap_status", "-1"), ("version", "68"),
                                                         ("last_compatible_version", "16")])
    url_ids: dict[str, int] = {}
    previous = 0
    for (d, h, m, s), url, title, transition, chained, duration in VISITS:
        when = webkit(d, h, m, s)
        if url not in url_ids:
            typed = 1 if transition & 0xFF == TYPED else 0
            cur = conn.execute("INSERT INTO urls (url, title, visit_count, typed_count, last_visit_time, hidden) "
                               "VALUES (?, ?, 0, ?, ?, 0)", (url, title, typed, when))
            url_ids[url] = cur.lastrowid
        conn.execute("UPDATE urls SET visit_count = visit_count + 1, last_visit_time = ? WHERE id = ?",
                     (when, url_ids[url]))
        cur = conn.execute("INSERT INTO visits (url, visit_time, from_visit, external_referrer_url, transition, "
                           "segment_id, visit_duration) VALUES (?, ?, ?, '', ?, 0, ?)",
                           (url_ids[url], when, previous if chained else 0, transition, duration * 1_000_000))
        previous = cur.lastrowid
    conn.execute("INSERT INTO keyword_search_terms VALUES (2, ?, 'iphone 16 gewinnspiel', 'iphone 16 gewinnspiel')",
                 (url_ids["https://suche.example.com/search?q=iphone+16+gewinnspiel"],))
    conn.commit()
    conn.execute("VACUUM")
    conn.close()


def main() -> None:
    write_history(HISTORY)
    print(f"wrote {HISTORY.relative_to(HERE)} ({HISTORY.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
