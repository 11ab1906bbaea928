"""Pop-up claims ("I never clicked anything") x timeline -> finding: visit, download, launch, detection, persistence."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from evidence.checks.citing import evidence_rows, observed
from evidence.checks.coverage import covering
from evidence.checks.model import CheckInput, Finding, Verdict, between

# With no time given, the chain is looked for over the month before the report.
LOOKBACK = timedelta(days=30)
BROWSERS = ("chrome.exe", "msedge.exe", "firefox.exe", "iexplore.exe", "brave.exe", "opera.exe", "safari",
            "chrome", "firefox", "google-chrome", "microsoft-edge", "brave", "opera")
# What a browser starts as part of itself: renderers and GPU processes are the browser's own
# image; these run beside it (crash reporting, updates, the web view, the cleanup scan).
BROWSER_HELPERS = ("chrome_proxy.exe", "chrome_pwa_launcher.exe", "notification_helper.exe",
                   "elevation_service.exe", "software_reporter_tool.exe", "crashpad_handler.exe",
                   "crashpad_handler", "msedge_proxy.exe", "msedgewebview2.exe", "identity_helper.exe",
                   "pwahelper.exe", "plugin-container.exe", "crashreporter.exe", "crashreporter",
                   "pingsender.exe", "default-browser-agent.exe", "updater.exe", "googleupdate.exe",
                   "microsoftedgeupdate.exe", "chrome_crashpad_handler")
# Where things a user downloads or a browser unpacks are run from.
USER_DROP = r"(?i)([\\/]downloads[\\/]|[\\/]temp[\\/]|[\\/]tmp[\\/]|[\\/]inetcache[\\/]|[\\/]temporary internet files[\\/])"
# Where installers put what they unpack, and where everyday per-user apps live too (Teams,
# OneDrive): a program there is a link only when something of the chain started it.
USER_APPS = r"(?i)[\\/]appdata[\\/]"
# Installed programs: a browser handing a PDF to Acrobat or a link to Zoom starts one of these.
INSTALLED = (r"(?i)^(?:[a-z]:[\\/](?:program files(?: \(x86\))?|windows)[\\/]|/usr/|/opt/|/bin/|/sbin/|/snap/"
             r"|/applications/|/system/)")
BROWSER_SOURCES = ("page_visit", "download")


def _basename(column: pl.Expr) -> pl.Expr:
    return column.str.replace(r".*[\\/]", "").str.to_lowercase()


def launch() -> pl.Expr:
    """A program started from a download or temp folder, from AppData by a browser or by such a
    program, or by a browser from anywhere but an installed location; never the browser itself
    or one of its helpers."""
    parent = pl.col("extra").str.json_path_match("$.parent_process").fill_null("")
    image = pl.coalesce(pl.col("extra").str.json_path_match("$.image"), pl.col("process")).fill_null("")
    started = pl.col("action").is_in(("process_start", "script_exec"))
    by_browser = _basename(parent).is_in(BROWSERS)
    by_drop = parent.str.contains(USER_DROP)
    itself = _basename(image).is_in(BROWSERS + BROWSER_HELPERS)
    dropped = image.str.contains(USER_DROP) | pl.col("process").fill_null("").str.contains(USER_DROP)
    unpacked = image.str.contains(USER_APPS) & (by_browser | by_drop)
    handed = by_browser & ~image.str.contains(INSTALLED)
    return started & ~itself & (dropped | unpacked | handed)


# The chain in order: each link is looked for after the one before it.
LINKS = (
    ("visit", pl.col("action") == "page_visit"),
    ("download", pl.col("action") == "download"),
    ("launch", launch()),
    ("detection", pl.col("action").is_in(("threat_detected", "threat_action"))),
    ("persistence", pl.col("action").is_in(("service_install", "task_created"))),
)
SETTLED_BY = {
    "visit": "browser history (Chrome/Edge History, Firefox places.sqlite, Safari History.db)",
    "download": "browser download history (the same History databases)",
    "launch": "process creation events (Sysmon event 1 or Security event 4688)",
    "detection": "antivirus logs (Defender Operational log or DetectionHistory, ClamAV log)",
    "persistence": "service and task creation events (System 7045, Security 4697/4698, Task Scheduler)",
}
LINK_WORDS = {"visit": "a page visit", "download": "a download", "launch": "a program started from a download "
              "or temp folder or by the browser", "detection": "an antivirus detection",
              "persistence": "a new service or scheduled task"}


def symptom() -> pl.Expr:
    return pl.any_horizontal([expr for name, expr in LINKS if name != "visit"])


def chain(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The first event of each link after the previous link found; a visit is the last one
    before the download it led to."""
    found: dict[str, pl.DataFrame] = {}
    after: datetime | None = None
    for name, expr in LINKS:
        rows = frame.filter(expr)
        if name == "visit":
            continue  # placed once the download is known
        if after is not None:
            later = rows.filter(pl.col("timestamp") >= after)
            rows = later if later.height else rows
        if rows.height:
            found[name] = rows.head(1)
            after = rows["timestamp"][0]
    visits = frame.filter(LINKS[0][1])
    if visits.height:
        anchor = next((found[n]["timestamp"][0] for n in ("download", "launch", "detection") if n in found), None)
        before = visits.filter(pl.col("timestamp") <= anchor) if anchor is not None else visits.clear()
        found["visit"] = before.tail(1) if before.height else visits.head(1)
    return {name: found[name] for name, _ in LINKS if name in found}


def check(ci: CheckInput) -> Finding:
    start, end, given = ci.window()
    if not given:
        start = ci.reported_at - LOOKBACK
    span = f"from {ci.show(start)} to {ci.show(end)}"
    frame = ci.frame.filter(between(start, end))
    links = chain(frame)
    cited = pl.concat(list(links.values())) if links else frame.clear()
    all_hits = frame.filter(symptom())
    words = " -> ".join(f"{LINK_WORDS[n]} ({ci.show(rows['timestamp'][0])})" for n, rows in links.items())
    absent = [n for n, _ in LINKS if n not in links]
    missing_sources = [n for n, expr in LINKS if ci.frame.filter(expr).height == 0 and n != "persistence"]
    acted = [n for n in ("download", "launch") if n in links]
    beyond_visit = [n for n in links if n != "visit"]
    if ci.denied:
        if acted:
            return Finding(Verdict.CONTRADICTED, f"The logs show {words} {span}.", evidence_rows(cited),
                           observed(all_hits))
        able = sorted(ci.frame.filter(pl.col("action").is_in(BROWSER_SOURCES))["source_file"].unique().to_list())
        full = covering(ci, able, start, end)
        if full:
            seen = f"; also {words}" if links else ""
            return Finding(Verdict.SUPPORTED, f"No download and no program started by the browser or from a "
                           f"download folder {span}, while {', '.join(full)} covered it{seen}.",
                           evidence_rows(cited), observed(all_hits))
    elif beyond_visit:
        return Finding(Verdict.SUPPORTED, f"The logs show {words} {span}.", evidence_rows(cited),
                       observed(all_hits))
    missing = "; ".join(SETTLED_BY[n] for n in missing_sources) or None
    found = f"The logs show only {words}" if links else "No link of the chain (visit, download, launch, detection, new service or task)"
    return Finding(Verdict.INCONCLUSIVE,
                   f"{found} {span}; missing links: {', '.join(absent) or 'none'}.",
                   evidence_rows(cited), observed(all_hits),
                   missing=missing or "A pop-up inside a web page leaves no trace in these logs; the browser "
                                      "history around the time it appeared would show the page.")
