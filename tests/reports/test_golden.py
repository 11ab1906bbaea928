"""Golden files: each sample document rendered as HTML, fact sheet and Markdown, compared byte for byte.

The goldens are produced by the code and reviewed, never typed by hand. After an intended
change in the output, regenerate them and review the diff before committing:

    CASELINE_REGEN_GOLDEN=1 python -m pytest tests/reports/test_golden.py

The caseline version is scrubbed to X.Y.Z so a release does not touch the goldens.
"""

import os
from pathlib import Path

import pytest

from reports import render_factsheet, render_html, render_markdown
from tests.reports.docs import ALL, VERSION

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("CASELINE_REGEN_GOLDEN") == "1"
VIEWS = {"summary.html": render_html, "factsheet.html": render_factsheet, "summary.md": render_markdown}


def _scrub(text: str) -> str:
    return text.replace(VERSION, "X.Y.Z")


@pytest.mark.parametrize("view", sorted(VIEWS))
@pytest.mark.parametrize("name", sorted(ALL))
def test_golden(name, view):
    path = GOLDEN / f"{name}.{view}"
    rendered = _scrub(VIEWS[view](ALL[name]()))
    if REGENERATE:
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"missing golden {path.name}: run with CASELINE_REGEN_GOLDEN=1"
    assert rendered == path.read_text(encoding="utf-8")
