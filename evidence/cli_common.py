"""What the commands share: one-line errors, zone and time options, the ingest with progress."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from evidence.case import open_case
from evidence.direct import DirectTimeline
from evidence.ingest import ingest

OUTPUT_TYPES = (".parquet", ".csv", ".jsonl", ".ndjson", ".json")


class CaselineError(click.ClickException):
    """An error the user can act on: printed as one line, exit 1."""

    def show(self, file=None) -> None:  # noqa: D401 - click's hook
        click.echo(f"error: {self.format_message()}", err=True)


def parse_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"unknown time zone {value!r}; use an IANA name such as Europe/Rome or UTC")
    return value


def parse_instant(value: str, tz: str) -> datetime:
    """An ISO 8601 moment; without an offset it is read in zone tz."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date and time, e.g. 2026-11-23T10:00:00+01:00")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    return moment


def _progress_printer(total: int, label: str):
    """Progress on stderr for long work; silent for small cases."""
    if total < 64 * 1024 * 1024:
        return None, None
    bar = click.progressbar(length=total, label=label, file=sys.stderr)
    bar.__enter__()

    def update(count: int) -> None:
        bar.update(count)

    return bar, update


def run_ingest(case_path: Path, workdir: Path, tz: str, reference: datetime | None,
               direct: DirectTimeline | None = None):
    case = open_case(case_path, workdir)
    if not case.inputs:
        raise CaselineError(f"{case_path}: the case holds no readable file")
    total = sum(item.size for item in case.inputs)
    bar, update = _progress_printer(total, "parsing")
    try:
        result = ingest(case, workdir, tz, reference, progress=update, direct=direct)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    return case, result
