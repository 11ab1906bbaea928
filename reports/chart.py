"""Report document chart block + claims -> an inline SVG timeline (no script, no links)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from markupsafe import Markup, escape

from reports.humanize import count_words, humanize_duration
from reports.timefmt import parse, show

# Fixed colours per schema category (Tableau 10 order, distinguishable in print and by
# most colour-blind readers); anything else takes the spares in order of appearance.
CATEGORY_COLOURS = {
    "auth": "#4e79a7", "process": "#f28e2b", "service": "#59a14f", "system": "#76b7b2",
    "network": "#edc948", "web": "#b07aa1", "browser": "#ff9da7", "malware": "#e15759",
    "performance": "#9c755f", "package": "#8cd17d", "other": "#bab0ac",
}
_SPARE_COLOURS = ("#499894", "#86bcb6", "#d37295", "#fabfd2", "#b6992d", "#79706e")

WIDTH, HEIGHT = 1000, 250
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 34, 44
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
# A claimed window far outside the logs would squash the bars to a sliver; the domain
# grows at most this many chart spans on each side, and longer windows are clipped.
MAX_EXTENSION_SPANS = 1.5
_TICK_STEPS_HOURS = (1, 2, 3, 6, 12, 24, 48, 168, 336, 720)
MAX_TICKS = 9
MAX_BARS = 360


@dataclass(frozen=True)
class Buckets:
    start: datetime
    seconds: int
    categories: list[str]
    counts: dict[str, list[int]]

    @property
    def size(self) -> int:
        return max((len(c) for c in self.counts.values()), default=0)

    def count(self, category: str, index: int) -> int:
        series = self.counts.get(category, [])
        return series[index] if index < len(series) else 0

    def totals(self) -> list[int]:
        """Events per bucket, all categories stacked."""
        return [sum(self.count(c, i) for c in self.categories) for i in range(self.size)]

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds * self.size)


def read_buckets(chart: object) -> Buckets | None:
    """The chart block as typed data; None when absent, empty or malformed."""
    if not isinstance(chart, dict):
        return None
    start, seconds = parse(chart.get("start")), chart.get("bucket_seconds")
    if start is None or not isinstance(seconds, int) or seconds <= 0:
        return None
    counts: dict[str, list[int]] = {}
    for series in chart.get("series") or []:
        name = str(series.get("category", "other"))
        counts[name] = [int(c or 0) for c in series.get("counts") or []]
    order = [str(c) for c in chart.get("categories") or []]
    categories = order + [c for c in counts if c not in order]
    buckets = _merge(Buckets(start, seconds, categories, counts))
    return buckets if buckets.size and any(map(any, counts.values())) else None


def _merge(buckets: Buckets) -> Buckets:
    """Adjacent buckets summed until at most MAX_BARS remain: thousands of sub-pixel bars
    would only bloat the file."""
    factor = -(-buckets.size // MAX_BARS)
    if factor <= 1:
        return buckets
    counts = {c: [sum(series[i:i + factor]) for i in range(0, len(series), factor)]
              for c, series in buckets.counts.items()}
    return Buckets(buckets.start, buckets.seconds * factor, buckets.categories, counts)


def colours(categories: list[str]) -> dict[str, str]:
    spares = iter(_SPARE_COLOURS * (len(categories) // len(_SPARE_COLOURS) + 1))
    return {c: CATEGORY_COLOURS.get(c) or next(spares) for c in categories}


def _domain(buckets: Buckets | None, marks: list[datetime]) -> tuple[datetime, datetime] | None:
    points = list(marks) + ([buckets.start, buckets.end] if buckets else [])
    if not points:
        return None
    low, high = min(points), max(points)
    if buckets:
        reach = timedelta(seconds=(buckets.end - buckets.start).total_seconds() * MAX_EXTENSION_SPANS)
        low, high = max(low, buckets.start - reach), min(high, buckets.end + reach)
    if high - low < timedelta(hours=1):
        middle = low + (high - low) / 2
        low, high = middle - timedelta(minutes=30), middle + timedelta(minutes=30)
    return low, high


def _ticks(low: datetime, high: datetime, zone: tzinfo) -> list[tuple[datetime, str, str]]:
    """Ticks on round local wall-clock times: (moment, upper label, lower label)."""
    span_hours = (high - low).total_seconds() / 3600
    # Beyond the longest step (years of logs) whole days keep the tick count bounded.
    step = next((s for s in _TICK_STEPS_HOURS if span_hours / s <= MAX_TICKS),
                24 * -(-int(span_hours) // (24 * MAX_TICKS)))
    local = low.astimezone(zone).replace(minute=0, second=0, microsecond=0, tzinfo=None)
    if step >= 24:
        local = local.replace(hour=0)
    else:
        local = local.replace(hour=local.hour - local.hour % step)
    ticks, previous_day = [], None
    while True:
        moment = local.replace(tzinfo=zone)
        if moment > high:
            break
        if moment >= low:
            day = local.strftime("%a %d %b")
            if step >= 24:
                ticks.append((moment, day, ""))
            else:
                ticks.append((moment, local.strftime("%H:%M"), day if day != previous_day else ""))
                previous_day = day
        local += timedelta(hours=step)
    return ticks


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above value."""
    candidates = sorted(b * 10**p for b in (1, 2, 5) for p in range(12))
    return next(c for c in candidates if c >= max(value, 1))


def timeline_svg(buckets: Buckets | None, claims: list[dict], reported_at: object,
                 zone: tzinfo) -> Markup | None:
    """Stacked bars of events per category per bucket, each claim's window shaded, each
    observed onset marked, the report time drawn; None when there is nothing to place."""
    windows, onsets = [], []
    for claim in claims:
        label = str(claim.get("id") or "")
        window = claim.get("window") if isinstance(claim.get("window"), dict) else {}
        start, end = parse(window.get("start")), parse(window.get("end"))
        if start or end:
            windows.append((label, start, end))
        first = parse((claim.get("observed") or {}).get("first"))
        if first:
            onsets.append((label, first))
    reported = parse(reported_at)
    marks = [m for _, s, e in windows for m in (s, e) if m] + [m for _, m in onsets]
    if buckets is None and not marks:
        return None
    marks += [reported] if reported else []
    domain = _domain(buckets, marks)
    if domain is None:
        return None
    low, high = domain
    span = (high - low).total_seconds()

    def x(moment: datetime) -> float:
        clipped = min(max(moment, low), high)
        return round(LEFT + PLOT_W * (clipped - low).total_seconds() / span, 1)

    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="Events per category over time, with claimed windows and observed onsets">',
    ]
    top = _nice_ceiling(max(buckets.totals(), default=0) if buckets else 0)
    for fraction in (0, 0.5, 1):
        y = round(TOP + PLOT_H * (1 - fraction), 1)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{y}" y2="{y}"/>')
        if buckets:
            parts.append(f'<text class="ylabel" x="{LEFT - 6}" y="{y + 4}">{int(top * fraction):,}</text>')
    for index, (label, start, end) in enumerate(windows):
        x0, x1 = x(start or low), x(end or high)
        parts.append(
            f'<rect class="window" x="{x0}" y="{TOP}" width="{max(x1 - x0, 2)}" height="{PLOT_H}">'
            f'<title>{escape(label)} claimed window</title></rect>'
        )
        parts.append(f'<text class="window-label" x="{x0 + 3}" y="{TOP - 6 - 11 * (index % 2)}">'
                     f'{escape(label)} claimed</text>')
    if buckets:
        palette = colours(buckets.categories)
        bar = PLOT_W * buckets.seconds / span
        for i in range(buckets.size):
            moment = buckets.start + timedelta(seconds=buckets.seconds * i)
            if moment < low or moment >= high:
                continue
            stacked = 0
            for category in buckets.categories:
                count = buckets.count(category, i)
                if not count:
                    continue
                height = PLOT_H * count / top
                y = TOP + PLOT_H * (1 - (stacked + count) / top)
                stacked += count
                parts.append(
                    f'<rect class="bar" x="{x(moment)}" y="{round(y, 1)}" '
                    f'width="{round(max(bar - 0.6, 0.8), 1)}" height="{round(height, 1)}" '
                    f'fill="{palette[category]}"><title>{escape(category)}: '
                    f'{count_words(count, "event")} from {escape(show(moment.isoformat(), zone, seconds=False))}'
                    f'</title></rect>'
                )
    for index, (label, first) in enumerate(onsets):
        xo = x(first)
        parts.append(
            f'<g class="onset"><line x1="{xo}" x2="{xo}" y1="{TOP}" y2="{TOP + PLOT_H}"/>'
            f'<path d="M{xo - 5} {TOP + PLOT_H + 7} L{xo + 5} {TOP + PLOT_H + 7} L{xo} {TOP + PLOT_H} Z"/>'
            f'<title>{escape(label)} first observed {escape(show(first.isoformat(), zone))}</title></g>'
        )
        parts.append(f'<text class="onset-label" x="{xo + 3}" y="{TOP + 12 + 12 * (index % 3)}">'
                     f'{escape(label)} first seen</text>')
    if reported and low <= reported <= high:
        xr = x(reported)
        parts.append(f'<g class="reported"><line x1="{xr}" x2="{xr}" y1="{TOP}" y2="{TOP + PLOT_H}"/>'
                     f'<title>reported {escape(show(reported.isoformat(), zone))}</title></g>')
        parts.append(f'<text class="reported-label" x="{xr - 3}" y="{TOP - 6}">reported</text>')
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{TOP + PLOT_H}" y2="{TOP + PLOT_H}"/>')
    for moment, upper, lower in _ticks(low, high, zone):
        xt = x(moment)
        parts.append(f'<line class="tick" x1="{xt}" x2="{xt}" y1="{TOP + PLOT_H}" y2="{TOP + PLOT_H + 4}"/>')
        parts.append(f'<text class="xlabel" x="{xt}" y="{TOP + PLOT_H + 18}">{escape(upper)}</text>')
        if lower:
            parts.append(f'<text class="xlabel day" x="{xt}" y="{TOP + PLOT_H + 32}">{escape(lower)}</text>')
    parts.append("</svg>")
    # Every string above that came from the document went through escape().
    return Markup("".join(parts))


def bucket_words(buckets: Buckets | None) -> str:
    return humanize_duration(buckets.seconds) if buckets else ""
