"""View values -> text: the jinja2 environments and the three renderers (HTML, fact sheet, Markdown)."""

from __future__ import annotations

import re
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from reports.factsheet import factsheet
from reports.view import summary

# Characters that would start emphasis, code, links, tables or raw HTML in Markdown.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def markdown_escape(value: object) -> str:
    """Log text as inert Markdown: no markup, no raw HTML, one line (tables and lists
    break on newlines)."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"[\r\n]+", " ", text)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    # Escaped slashes keep a quoted address from becoming a clickable autolink.
    return text.replace("://", ":\\/\\/")


@cache
def html_environment() -> Environment:
    return Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def markdown_environment() -> Environment:
    # finalize escapes every {{ }} output, as autoescape does for HTML.
    return Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=False,
        finalize=markdown_escape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(doc: dict) -> str:
    """The discrepancy summary: one self-contained HTML file, no script, nothing fetched."""
    return html_environment().get_template("summary.html.j2").render(v=summary(doc))


def render_factsheet(doc: dict) -> str:
    """The one-page pre-call fact sheet (HTML, A4 print CSS)."""
    return html_environment().get_template("factsheet.html.j2").render(v=factsheet(doc))


def render_markdown(doc: dict) -> str:
    """The summary as Markdown, for a ticket or a chat; no chart, the timeline as a table."""
    text = markdown_environment().get_template("summary.md.j2").render(v=summary(doc))
    return re.sub(r"\n{3,}", "\n\n", text)
