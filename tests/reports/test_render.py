"""reports.render_*: escaping of hostile log text, no script or network, robustness to absent keys."""

import re
from html.parser import HTMLParser

import pytest

from reports import render_factsheet, render_html, render_markdown
from tests.reports.docs import HOSTILE_ATTR, HOSTILE_URL, empty_case, linux_web_server, windows_laptop

HTML_RENDERERS = [render_html, render_factsheet]
FORBIDDEN_TAGS = {"script", "img", "iframe", "object", "embed", "link", "base", "form", "audio", "video", "image"}


class _Markup(HTMLParser):
    """Collects tags, attributes and stylesheet text; log text is data and stays out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.styles, self._in_style = [], [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def _markup(html):
    parser = _Markup()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("render", HTML_RENDERERS)
def test_hostile_strings_are_escaped(render):
    html = render(windows_laptop())
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE_ATTR not in html
    assert "&#34;&gt;&lt;img src=x onerror=" in html


@pytest.mark.parametrize("render", HTML_RENDERERS)
@pytest.mark.parametrize("make", [windows_laptop, linux_web_server, empty_case])
def test_html_loads_nothing_and_runs_nothing(render, make):
    html = render(make())
    markup = _markup(html)
    assert not FORBIDDEN_TAGS & set(markup.tags)
    for name, value in markup.attrs:
        assert not name.startswith("on"), name
        assert "://" not in (value or "") and "javascript:" not in (value or "").lower(), (name, value)
    stylesheet = re.sub(r"/\*.*?\*/", "", "".join(markup.styles), flags=re.S)
    assert "url(" not in stylesheet and "@import" not in stylesheet and "//" not in stylesheet
    # The only web address in the file is the one quoted from a log, as text.
    assert set(re.findall(r"https?://[^\s<\"']+", html)) <= {HOSTILE_URL}


def test_markdown_is_inert():
    text = render_markdown(windows_laptop())
    assert "<script" not in text.lower() and "<img" not in text.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    # A newline in a log message must not break a table row or start a block.
    doc = linux_web_server()
    doc["claims"][0]["text"] = "down | since\n# morning"
    assert "down \\| since # morning" in render_markdown(doc)
    # A quoted address stays text, not an autolink.
    assert "http:\\/\\/evil.example.com" in render_markdown(windows_laptop())


def test_summary_shows_every_verdict_and_the_difference_in_words():
    html = render_html(windows_laptop())
    for verdict in ("supported", "contradicted", "inconclusive"):
        assert f'<span class="badge {verdict}">{verdict}</span>' in html
    assert "about 46 hours later than stated" in html
    assert "1 h 54 min earlier than stated" in render_html(linux_web_server())
    assert "Logs/System.evtx record 88213" in html
    assert "Perf/metrics.csv:1310" in html
    assert "Chrome History file" in html
    assert "What changed in the hour before the onset" in html
    assert "Likely cause: antivirus full scan" in html
    assert "ma cosa è successo?" in html
    assert "no format recognized (binary, 12 KB)" in html


def test_times_are_shown_in_the_case_zone():
    html = render_html(windows_laptop())
    assert "2026-11-22 21:48:10 CET" in html
    assert "Mon 2026-11-23 10:00 CET" in html


def test_zero_claims_and_no_chart():
    doc = empty_case()
    html = render_html(doc)
    assert "No claim to check" in html
    assert "The report holds no event counts over time." in html
    assert "<svg" not in html
    assert "auth.log" in html and "10 h 45 min" in html
    assert "No claim to check." in render_factsheet(doc)
    assert "No claim to check." in render_markdown(doc)


def test_chart_absent_keeps_claim_windows_on_the_timeline():
    doc = windows_laptop()
    del doc["chart"]
    html = render_html(doc)
    assert "The report holds no event counts over time." in html
    assert '<rect class="window"' in html and 'class="bar"' not in html


def test_claims_with_every_optional_key_missing():
    doc = empty_case()
    doc["claims"] = [{"id": "c1", "text": "it is broken", "window": None, "observed": None,
                      "delta_seconds": None, "verdict": None},
                     {"id": "c 2/<x>", "text": "strange", "verdict": "pending"}]
    for render in (render_html, render_factsheet, render_markdown):
        out = render(doc)
        assert "it is broken" in out and "strange" in out
    html = render_html(doc)
    assert 'id="claim-c-2--x-"' in html
    assert '<span class="badge unknown">pending</span>' in html


def test_factsheet_states_what_the_logs_cannot_tell():
    html = render_factsheet(windows_laptop())
    assert "What the logs cannot tell" in html
    assert "c3: the stated window starts 58 min before the earliest log event" in html
    assert "Perf/metrics.csv: 2 lines not parsed." in html
    assert "Would settle it:" in html and "Chrome History file" in html
    assert html.index("Not consistent with the logs") < html.index("Consistent with the logs")
    # A window running past the report time is not a coverage gap.
    assert "c1: the stated window ends" not in render_factsheet(linux_web_server())


def test_factsheet_cuts_long_lists_to_stay_on_one_page():
    doc = windows_laptop()
    evidence = doc["claims"][0]["evidence"][0]
    doc["claims"][0]["evidence"] = [dict(evidence, event_id=f"77aa3333:{n}", source_line=n) for n in range(10)]
    doc["claims"][0]["evidence"][0]["message"] = "x" * 500
    html = render_factsheet(doc)
    assert "8 more cited in the summary" in html
    assert "x" * 149 + "\u2026" in html and "x" * 150 not in html
    assert "Perf/metrics.csv:9" not in html
    assert "Perf/metrics.csv:9" in render_html(doc)
