"""Report document (the JSON contract) -> HTML summary, pre-call fact sheet and Markdown."""

from reports.humanize import delta_words, humanize_duration
from reports.render import render_factsheet, render_html, render_markdown

__all__ = ["delta_words", "humanize_duration", "render_factsheet", "render_html", "render_markdown"]
