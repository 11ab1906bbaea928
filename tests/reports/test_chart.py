"""reports.chart: the inline SVG places bars, claimed windows, onsets and dated ticks."""

import re
from zoneinfo import ZoneInfo

from reports.chart import LEFT, PLOT_W, read_buckets, timeline_svg
from tests.reports.docs import windows_laptop

UTC = ZoneInfo("UTC")
CHART = {
    "bucket_seconds": 3600, "start": "2026-11-23T00:00:00+00:00", "end": "2026-11-23T10:00:00+00:00",
    "categories": ["auth", "web"],
    "series": [{"category": "auth", "counts": [1] * 10}, {"category": "web", "counts": [0, 0, 5] + [0] * 7}],
}
CLAIM = {"id": "c1", "window": {"start": "2026-11-23T02:00:00+00:00", "end": "2026-11-23T04:00:00+00:00"},
         "observed": {"first": "2026-11-23T06:00:00+00:00", "last": "2026-11-23T07:00:00+00:00", "count": 3}}


def _svg(claims, chart=CHART, reported="2026-11-23T10:00:00+00:00"):
    return str(timeline_svg(read_buckets(chart), claims, reported, UTC))


def _x(fraction):
    return round(LEFT + PLOT_W * fraction, 1)


def test_window_is_shaded_over_its_hours():
    svg = _svg([CLAIM])
    shade = re.search(r'<rect class="window" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    assert shade, svg
    assert float(shade[1]) == _x(0.2)
    assert round(float(shade[1]) + float(shade[2]), 1) == _x(0.4)
    assert "c1 claimed" in svg


def test_onset_marker_sits_at_observed_first():
    svg = _svg([CLAIM])
    onset = re.search(r'<g class="onset"><line x1="([\d.]+)" x2="([\d.]+)"', svg)
    assert onset and float(onset[1]) == _x(0.6) == float(onset[2])
    assert "c1 first observed 2026-11-23 06:00:00 UTC" in svg


def test_bars_stack_per_category_with_titles():
    svg = _svg([])
    assert svg.count('class="bar"') == 11
    assert "web: 5 events from 2026-11-23 02:00 UTC" in svg


def test_axis_ticks_carry_dates_in_the_case_zone():
    svg = str(timeline_svg(read_buckets(CHART), [], None, ZoneInfo("Europe/Rome")))
    labels = re.findall(r'<text class="xlabel[^"]*" x="[\d.]+" y="[\d.]+">([^<]+)</text>', svg)
    assert "Mon 23 Nov" in labels
    assert "02:00" in labels


def test_open_window_runs_to_the_end_of_the_chart():
    claim = {"id": "c3", "window": {"start": "2026-11-23T05:00:00+00:00", "end": None}}
    shade = re.search(r'<rect class="window" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', _svg([claim]))
    assert round(float(shade[1]) + float(shade[2]), 1) == _x(1.0)


def test_nothing_to_draw_gives_no_svg():
    assert timeline_svg(None, [], "2026-11-23T10:00:00+00:00", UTC) is None
    assert read_buckets({"bucket_seconds": 3600, "start": "2026-11-23T00:00:00+00:00", "series": []}) is None
    assert read_buckets({"bucket_seconds": 0, "start": "2026-11-23T00:00:00+00:00"}) is None


def test_windows_without_a_chart_still_draw():
    svg = _svg([CLAIM], chart=None)
    assert 'class="window"' in svg and 'class="onset"' in svg and 'class="bar"' not in svg


def test_laptop_case_marks_every_window_and_onset():
    doc = windows_laptop()
    svg = str(timeline_svg(read_buckets(doc["chart"]), doc["claims"], doc["reported_at"], ZoneInfo(doc["timezone"])))
    assert svg.count('<rect class="window"') == 2
    assert svg.count('<g class="onset">') == 2
    assert '<g class="reported">' in svg
    assert "xmlns" not in svg


def test_thousands_of_buckets_are_merged_to_a_bounded_bar_count():
    series = [1] * 2000
    series[1999] = 50
    chart = {"bucket_seconds": 60, "start": "2026-11-23T00:00:00+00:00", "categories": ["web"],
             "series": [{"category": "web", "counts": series}]}
    buckets = read_buckets(chart)
    assert buckets.seconds == 360 and buckets.size == 334
    assert sum(buckets.counts["web"]) == sum(series)
    assert buckets.counts["web"][-1] == 1 + 50  # buckets 1998 and 1999


def test_years_of_logs_keep_few_ticks():
    chart = {"bucket_seconds": 86400, "start": "2020-01-01T00:00:00+00:00", "categories": ["web"],
             "series": [{"category": "web", "counts": [1] * 2000}]}
    svg = str(timeline_svg(read_buckets(chart), [], None, UTC))
    assert 3 <= svg.count('<line class="tick"') <= 10
