"""The program a claim names (claim["subject"]) in the claims table, the Markdown and the fact sheet."""

import re

from reports import render_factsheet, render_html, render_markdown
from reports.view import summary
from tests.reports.docs import HOSTILE_SCRIPT, windows_laptop


def _with_subject(subject):
    doc = windows_laptop()
    doc["claims"][1]["subject"] = subject
    return doc


def test_subject_is_shown_next_to_the_kind_and_escaped():
    doc = _with_subject(f"outlook {HOSTILE_SCRIPT}")
    assert summary(doc)["claims"][1]["subject"] == f"outlook {HOSTILE_SCRIPT}"
    html = render_html(doc)
    row = re.search(r'<td class="nowrap">slowness<br><span class="mono">(.*?)</span></td>', html)
    assert row and row.group(1) == "outlook &lt;script&gt;alert(1)&lt;/script&gt;"
    assert "slowness of outlook &lt;script&gt;" in render_factsheet(doc)
    assert "| slowness (outlook &lt;script&gt;alert(1)&lt;/script&gt;) |" in render_markdown(doc)


def test_no_subject_leaves_the_views_as_they_were():
    for subject in (None, ""):
        doc = _with_subject(subject)
        assert render_html(doc) == render_html(windows_laptop())
        assert render_markdown(doc) == render_markdown(windows_laptop())
        assert render_factsheet(doc) == render_factsheet(windows_laptop())
