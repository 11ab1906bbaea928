"""Writes the binary inputs of the demo cases (sample_logs/cases/*/logs): the Chrome History of popup_descarga_es.

Run from anywhere: `python sample_logs/cases/make_binaries.py`. The output is committed too, so the
README commands work from a fresh clone; running this again gives the same rows (the bytes may
differ only in the SQLite version stamp of the file header when another SQLite library writes it).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
HISTORY = HERE / "popup_descarga_es" / "logs" / "Users" / "lucia" / "AppData" / "Local" / "Google" / "Chrome" / \
    "User Data" / "Default" / "History"
MADRID = ZoneInfo("Europe/Madrid")
WEBKIT_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)

# ui/base/page_transition_types.h
LINK, TYPED, AUTO_BOOKMARK, AUTO_TOPLEVEL, FORM_SUBMIT, RELOAD = 0, 1, 2, 6, 7, 8
FROM_ADDRESS_BAR, CHAIN_START, CHAIN_END = 0x02000000, 0x10000000, 0x20000000
CLIENT_REDIRECT, SERVER_REDIRECT = 0x40000000, 0x80000000
WHOLE = CHAIN_START | CHAIN_END

SCHEMA = """
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT, url LONGVARCHAR, title LONGVARCHAR,
    visit_count INTEGER DEFAULT 0 NOT NULL, typed_count INTEGER DEFAULT 0 NOT NULL,
    last_visit_time INTEGER NOT NULL, hidden INTEGER DEFAULT 0 NOT NULL);
CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT, url INTEGER NOT NULL, visit_time INTEGER NOT NULL,
    from_visit INTEGER, external_referrer_url TEXT, transition INTEGER DEFAULT 0 NOT NULL,
    segment_id INTEGER, visit_duration INTEGER DEFAULT 0 NOT NULL, incremented_omnibox_typed_score BOOLEAN
    DEFAULT FALSE NOT NULL, opener_visit INTEGER, originator_cache_guid TEXT, originator_visit_id INTEGER,
    originator_from_visit INTEGER, originator_opener_visit INTEGER, is_known_to_sync BOOLEAN DEFAULT FALSE
    NOT NULL, consider_for_ntp_most_visited BOOLEAN DEFAULT FALSE NOT NULL, visited_link_id INTEGER
    DEFAULT 0 NOT NULL, app_id TEXT);
CREATE TABLE downloads(id INTEGER PRIMARY KEY, guid VARCHAR NOT NULL, current_path LONGVARCHAR NOT NULL,
    target_path LONGVARCHAR NOT NULL, start_time INTEGER NOT NULL, received_bytes INTEGER NOT NULL,
    total_bytes INTEGER NOT NULL, state INTEGER NOT NULL, danger_type INTEGER NOT NULL,
    interrupt_reason INTEGER NOT NULL, hash BLOB NOT NULL, end_time INTEGER NOT NULL, opened INTEGER NOT NULL,
    last_access_time INTEGER NOT NULL, transient INTEGER NOT NULL, referrer VARCHAR NOT NULL,
    site_url VARCHAR NOT NULL, embedder_download_data VARCHAR NOT NULL, tab_url VARCHAR NOT NULL,
    tab_referrer_url VARCHAR NOT NULL, http_method VARCHAR NOT NULL, by_ext_id VARCHAR NOT NULL,
    by_ext_name VARCHAR NOT NULL, by_web_app_id VARCHAR NOT NULL, etag VARCHAR NOT NULL,
    last_modified VARCHAR NOT NULL, mime_type VARCHAR(255) NOT NULL, original_mime_type VARCHAR(255) NOT NULL);
CREATE TABLE downloads_url_chains(id INTEGER NOT NULL, chain_index INTEGER NOT NULL, url LONGVARCHAR NOT NULL,
    PRIMARY KEY (id, chain_index));
CREATE TABLE keyword_search_terms(keyword_id INTEGER NOT NULL, url_id INTEGER NOT NULL, term LONGVARCHAR NOT NULL,
    normalized_term LONGVARCHAR NOT NULL);
"""


def webkit(hour: int, minute: int, second: int, day: int = 12) -> int:
    """Microseconds since 1601-01-01 UTC for a Madrid wall-clock time on November `day`, 2026."""
    moment = datetime(2026, 11, day, hour, minute, second, tzinfo=MADRID)
    return (moment - WEBKIT_EPOCH) // timedelta(microseconds=1)


# (time, url, title, transition, from previous visit, duration s)
VISITS = [
    ((9, 0, 41), "https://intranet.example.org/", "Intranet - Gestoría Example", TYPED | FROM_ADDRESS_BAR | WHOLE, False, 95),
    ((9, 2, 20), "https://mail.example.com/mail/u/0/#inbox", "Bandeja de entrada - lucia@example.com", AUTO_BOOKMARK | WHOLE, False, 1800),
    ((10, 15, 3), "https://intranet.example.org/nominas/2026-10", "Nóminas octubre", LINK | WHOLE, True, 240),
    ((11, 42, 17), "https://www.agencia-tributaria.example.org/modelo-303", "Modelo 303 - Sede", TYPED | FROM_ADDRESS_BAR | WHOLE, False, 900),
    ((13, 5, 9), "https://www.periodico.example.com/", "El Periódico Example - Última hora", TYPED | FROM_ADDRESS_BAR | WHOLE, False, 300),
    ((13, 9, 44), "https://www.periodico.example.com/economia/ipc-noviembre", "El IPC de noviembre", LINK | WHOLE, True, 180),
    ((15, 58, 30), "https://www.google.com/search?q=tarta+de+queso+receta+facil", "tarta de queso receta facil - Buscar con Google", TYPED | FROM_ADDRESS_BAR | WHOLE, False, 60),
    ((16, 1, 48), "https://www.recetas-faciles.example.com/tarta-de-queso", "Tarta de queso fácil | Recetas Fáciles", LINK | WHOLE, True, 26),
    # an advert on the recipe page: a link click that a redirect carries to the download page
    ((16, 2, 14), "https://ads.publicidad.example.com/clk?c=44817&s=recetas", "", LINK | CHAIN_START, True, 0),
    ((16, 2, 15), "https://pdf-convertidor.example.org/descargar?src=44817", "Convierte PDF gratis - Descarga segura", LINK | SERVER_REDIRECT | CHAIN_END, True, 52),
    # the "pop-up": a page the adware opened in the browser, not a link followed in it
    ((16, 21, 5), "https://alerta-seguridad.example.org/windows/infectado?id=7781", "¡ALERTA! Su equipo está infectado", AUTO_TOPLEVEL | WHOLE, False, 140),
    ((16, 24, 40), "https://mail.example.com/mail/u/0/#inbox", "Bandeja de entrada - lucia@example.com", AUTO_BOOKMARK | WHOLE, False, 600),
    ((17, 31, 2), "https://intranet.example.org/incidencias/nueva", "Nueva incidencia", LINK | WHOLE, False, 120),
]
DOWNLOAD = {
    "id": 1, "guid": "6B0E1C2D-3A4F-4B5C-9D6E-7F8091A2B3C4",
    "current_path": "C:\\Users\\lucia\\Downloads\\PDFConvertidor_Setup.exe",
    "target_path": "C:\\Users\\lucia\\Downloads\\PDFConvertidor_Setup.exe",
    "start_time": webkit(16, 2, 58), "received_bytes": 2845112, "total_bytes": 2845112,
    "state": 1, "danger_type": 6, "interrupt_reason": 0, "hash": b"", "end_time": webkit(16, 3, 9), "opened": 1,
    "last_access_time": webkit(16, 3, 35), "transient": 0,
    "referrer": "https://pdf-convertidor.example.org/descargar?src=44817",
    "site_url": "https://pdf-convertidor.example.org/", "embedder_download_data": "",
    "tab_url": "https://pdf-convertidor.example.org/descargar?src=44817",
    "tab_referrer_url": "https://ads.publicidad.example.com/clk?c=44817&s=recetas", "http_method": "",
    "by_ext_id": "", "by_ext_name": "", "by_web_app_id": "", "etag": "\"2b69b8-61f0c2a4\"",
    "last_modified": "Tue, 10 Nov 2026 08:14:02 GMT", "mime_type": "application/x-msdownload",
    "original_mime_type": "application/x-msdownload",
}
CHAIN = ["https://pdf-convertidor.example.org/get/PDFConvertidor_Setup.exe",
         "https://dl.pdf-convertidor.example.org/files/2026/PDFConvertidor_Setup.exe"]


def write_history(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + "-journal")):
        stale.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO meta VALUES (?, ?)", [("mmap_status", "-1"), ("version", "67"),
                                                         ("last_compatible_version", "16")])
    url_ids: dict[str, int] = {}
    previous = 0
    for (h, m, s), url, title, transition, chained, duration in VISITS:
        when = webkit(h, m, s)
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
    conn.execute("INSERT INTO keyword_search_terms VALUES (2, ?, 'tarta de queso receta facil', "
                 "'tarta de queso receta facil')", (url_ids["https://www.google.com/search?q=tarta+de+queso+receta+facil"],))
    columns = list(DOWNLOAD)
    conn.execute(f"INSERT INTO downloads ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                 [DOWNLOAD[c] for c in columns])
    conn.executemany("INSERT INTO downloads_url_chains VALUES (1, ?, ?)", list(enumerate(CHAIN)))
    conn.commit()
    conn.execute("VACUUM")
    conn.close()


def main() -> None:
    write_history(HISTORY)
    print(f"wrote {HISTORY.relative_to(HERE)} ({HISTORY.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
