"""`caseline claims`: a statement on the command line -> JSON claims on stdout (evidence.claims)."""

from __future__ import annotations

import json
import sys

import click

from evidence.claims.model import ClaimsInputError
from evidence.claims.reader import parse_reported_at, read_claims

USAGE_EXIT = 2


@click.command("claims")
@click.argument("text")
@click.option("--reported-at", "reported_at", required=True, metavar="ISO8601",
              help="When the customer said it, e.g. 2026-11-23T10:00:00+01:00.")
@click.option("--tz", required=True, metavar="ZONE",
              help="The customer's IANA time zone, e.g. Europe/Rome.")
@click.option("--lang", default=None, metavar="xx",
              help="Language of the text (en, it, es, de, fr); detected when omitted.")
def claims_command(text: str, reported_at: str, tz: str, lang: str | None) -> None:
    """Read TEXT (what the customer said) into claims: kind, polarity, time window."""
    try:
        moment, _ = parse_reported_at(reported_at, tz)
        result = read_claims(text, moment, tz, lang)
    except ClaimsInputError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(USAGE_EXIT)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
