"""Pop-up claims ("I never clicked anything") x timeline -> finding: visit, download, launch, detection, persistence."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from evidence.checks.citing import evidence_rows, names, observed
from evidence.checks.coverage import edge_slack, sources_with
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
# Chrome's core transition for a page the browser opened with no navigation by the user: a
# notification clicked, a URL handed over by another program. A web notification's pop-up page.
UNASKED_TRANSITIONS = ("auto_toplevel",)
# What Windows starts when a browser notification toast is clicked (parent: svchost).
NOTIFIERS = ("notification_helper.exe",)
# A page opened this soon after a notification click is the page the notification opened.
CLICK_TO_PAGE = timedelta(minutes=2)


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


def unasked_visit() -> pl.Expr:
    """A page the browser opened by itself (transition decoded by the History parser into extra)."""
    transition = pl.col("extra").str.json_path_match("$.transition").fill_null("")
    return (pl.col("action") == "page_visit") & transition.is_in(UNASKED_TRANSITIONS)


def notification_click() -> pl.Expr:
    """A browser's notification helper started: Windows runs it when a toast is clicked."""
    image = pl.coalesce(pl.col("extra").str.json_path_match("$.image"), pl.col("process")).fill_null("")
    return pl.col("action").is_in(("process_start",)) & _basename(image).is_in(NOTIFIERS)


def popups(frame: pl.DataFrame) -> pl.DataFrame:
    """Pages that popped up: opened by the browser itself, or visited right after a notification
    click; with the clicks that opened them."""
    clicks = frame.filter(notification_click())
    visits = frame.filter(pl.col("action") == "page_visit")
    opened = visits.filter(unasked_visit())
    if clicks.height and visits.height:
        after = (visits.join_asof(clicks.select(pl.col("timestamp").alias("_click"), "timestamp").sort("timestamp"),
                                  on="timestamp", strategy="backward")
                 .filter((pl.col("timestamp") - pl.col("_click")) <= CLICK_TO_PAGE).drop("_click"))
        opened = pl.concat([opened, after]).unique("event_id", keep="first")
    if opened.height == 0:
        return opened
    first = opened["timestamp"].min()
    leading = clicks.filter((pl.col("timestamp") <= opened["timestamp"].max())
                            & (pl.col("timestamp") >= first - CLICK_TO_PAGE))
    return pl.concat([leading, opened]).sort("timestamp")


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
        # with nothing it led to, a visit is only browsing: never cited as a link
        if before.height:
            found["visit"] = before.tail(1)
    return {name: found[name] for name, _ in LINKS if name in found}


def check(ci: CheckInput) -> Finding:
    start, end, given = ci.window()
    if not given:
        start = ci.reported_at - LOOKBACK
    frame = ci.frame.filter(between(start, end))
    links = chain(frame)
    cited = pl.concat(list(links.values())) if links else frame.clear()
    all_hits = frame.filter(symptom())
    words = " -> ".join(f"{LINK_WORDS[n]} ({ci.show(rows['timestamp'][0])})" for n, rows in links.items())
    span = f"from {ci.show(start)} to {ci.show(end)}"
    if ci.denied:
        if any(n in links for n in ("download", "launch")):
            return Finding(Verdict.CONTRADICTED, f"The logs show {words} {span}.", evidence_rows(cited),
                           observed(all_hits))
        found = _denial(ci, start, end, given)
        if found is not None:
            return found
    elif any(n != "visit" for n in links):
        return Finding(Verdict.SUPPORTED, f"The logs show {words} {span}.", evidence_rows(cited),
                       observed(all_hits))
    else:
        opened = popups(frame)
        if opened.height:
            pages = opened.filter(pl.col("action") == "page_visit")
            clicks = opened.height - pages.height
            how = (f"A browser notification was clicked at {ci.show(opened['timestamp'][0])} and the browser"
                   if clicks else "The browser")
            return Finding(Verdict.SUPPORTED, f"{how} opened {pages.height} page(s) by itself, without "
                           f"a navigation by the user, at {ci.show(pages['timestamp'][0])} ({span}).",
                           evidence_rows(opened.head(10)), observed(opened))
    absent = [n for n, _ in LINKS if n not in links]
    missing_sources = [n for n, expr in LINKS if ci.frame.filter(expr).height == 0 and n != "persistence"]
    missing = "; ".join(SETTLED_BY[n] for n in missing_sources) or None
    found = f"The logs show only {words}" if links else "No link of the chain (visit, download, launch, detection, new service or task)"
    return Finding(Verdict.INCONCLUSIVE,
                   f"{found} {span}; missing links: {', '.join(absent) or 'none'}.",
                   evidence_rows(cited), observed(all_hits),
                   missing=missing or "A pop-up inside a web page leaves no trace in these logs; the browser "
                                      "history around the time it appeared would show the page.")


def _denial(ci: CheckInput, start: datetime, end: datetime, given: bool) -> Finding | None:
    """"I never downloaded anything": supported when a browser history holds visits from before
    the window into it (kept, not cleared) and no download, and the process log, when the case
    has one, runs through the window without a launch. A history is written only while the user
    browses, so its nights and weekends are no gaps. With no time given, the window is the part
    of the month before the report that the process log records."""
    slack = edge_slack(start, end)
    histories = sources_with(ci.frame, pl.col("action") == "page_visit")
    processes = sources_with(ci.frame, pl.col("action").is_in(("process_start", "script_exec")))
    spans = {s.source_file: s for s in ci.timeline.sources}
    if processes and not given:
        start = max(start, min(spans[f].first for f in processes))
    kept = [f for f in histories if spans[f].first <= start + slack
            and ci.frame.filter((pl.col("source_file") == f) & (pl.col("action") == "page_visit")
                                & between(start, end)).height]
    running = [f for f in processes if spans[f].first <= start + slack and spans[f].last >= end - slack]
    if not kept or (processes and not running):
        return None
    rows = ci.frame.filter(pl.col("source_file").is_in(kept + running) & between(start, end)
                           & pl.col("action").is_in(("page_visit", "process_start", "script_exec")))
    # each covering source's first and last row in the window: what shows it ran through it
    ordered = rows.sort(["timestamp", "event_id"])
    ends = pl.concat([ordered.group_by("source_file", maintain_order=True).head(1),
                      ordered.group_by("source_file", maintain_order=True).tail(1)]).select(rows.columns)
    ends = ends.unique("event_id", keep="first")
    launches = f", and {names(running)} started nothing from a download or temp folder and nothing by the browser" \
        if running else ""
    return Finding(Verdict.SUPPORTED, f"No download from {ci.show(start)} to {ci.show(end)}: {names(kept)} holds "
                   f"visits from before it through it and no download{launches}.",
                   evidence_rows(ends), observed(rows))
