"""The analyze and render commands: case + claims -> timeline -> findings -> report document -> files."""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import click

from evidence.checks import CheckInput, run_check
from evidence.claims import ClaimsInputError, load_claims_file, read_claims
from evidence.cli_common import CaselineError, parse_instant, parse_zone, run_ingest
from evidence.report import build_document
from evidence.timeline import build_timeline

NOT_UNDERSTOOD = "not understood: "
# Above this many events the stages are announced on stderr.
LONG_CASE_EVENTS = 500_000


def caseline_version() -> str:
    try:
        return version("caseline")
    except PackageNotFoundError:
        return "0.0.0"


def read_all_claims(texts: tuple[str, ...], claims_file: Path | None, reported_at: datetime, tz: str,
                    lang: str | None) -> tuple[list[dict], list[str], list[str]]:
    """(claims, not understood statements, notes) in the order given: --claim texts, then the file."""
    claims: list[dict] = []
    not_understood: list[str] = []
    notes: list[str] = []

    def take(result) -> None:
        claims.extend(c.to_dict() for c in result.claims)
        for note in result.notes:
            if note.startswith(NOT_UNDERSTOOD):
                not_understood.append(note[len(NOT_UNDERSTOOD):])
            else:
                notes.append(note)

    try:
        for text in texts:
            if not text.strip():
                notes.append("an empty --claim was given and skipped")
                continue
            take(read_claims(text, reported_at, tz, lang, id_start=len(claims) + 1))
        if claims_file is not None:
            take(load_claims_file(claims_file, reported_at, tz, lang, id_start=len(claims) + 1))
    except ClaimsInputError as err:
        raise CaselineError(str(err)) from None
    return claims, not_understood, notes


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


# Folder names that say nothing about the case: the report names their parent too.
_GENERIC_NAMES = frozenset({"logs", "log", "var", "bundle", "evidence", "files", "data"})


def case_label(case_path: Path) -> str:
    """A short name for the case: its folder or file name, with the parent when that name
    is generic (customer-a/logs rather than logs)."""
    resolved = case_path.resolve()
    if resolved.name.lower() in _GENERIC_NAMES and resolved.parent.name:
        return f"{resolved.parent.name}/{resolved.name}"
    return resolved.name or str(case_path)


def _outputs(case_path: Path, json_out: Path | None, html_out: Path | None) -> tuple[Path, Path]:
    stem = (case_label(case_path).replace("/", "-") or "case").split(".")[0] or "case"
    return json_out or Path.cwd() / f"{stem}-report.json", html_out or Path.cwd() / f"{stem}-report.html"


def _announce(enabled: bool, text: str) -> None:
    if enabled:
        click.echo(text, err=True)


@click.command()
@click.argument("case_path", type=click.Path(path_type=Path))
@click.option("--claim", "claim_texts", multiple=True, help="What the customer said (repeatable).")
@click.option("--claims-file", type=click.Path(path_type=Path), default=None,
              help="Claims as a TOML or JSON list of statements or structured claims.")
@click.option("--reported-at", required=True, help="When the customer said it (ISO 8601).")
@click.option("--tz", required=True, help="The customer's zone (IANA name); also the zone of logs that carry none.")
@click.option("--lang", default=None, help="Language of the claims (en, it, es, de, fr); default: detected.")
@click.option("--json", "json_out", type=click.Path(path_type=Path), default=None,
              help="Report JSON (default: CASE-report.json in the current folder).")
@click.option("--html", "html_out", type=click.Path(path_type=Path), default=None,
              help="HTML summary (default: CASE-report.html in the current folder).")
@click.option("--factsheet", "factsheet_out", type=click.Path(path_type=Path), default=None,
              help="One-page pre-call fact sheet (HTML).")
def analyze_command(case_path: Path, claim_texts: tuple[str, ...], claims_file: Path | None, reported_at: str,
                    tz: str, lang: str | None, json_out: Path | None, html_out: Path | None,
                    factsheet_out: Path | None) -> None:
    """Check each claim about CASE_PATH (a folder, archive or file) against its logs."""
    from reports import render_factsheet, render_html

    tz = parse_zone(tz)
    moment = parse_instant(reported_at, tz)
    if not case_path.exists():
        raise CaselineError(f"{case_path}: no such file or folder")
    json_path, html_path = _outputs(case_path, json_out, html_out)
    targets = [p for p in (json_path, html_path, factsheet_out) if p is not None]
    for target in targets:
        if case_path.is_dir() and _inside(target, case_path) or target.resolve() == case_path.resolve():
            raise CaselineError(f"{target}: inside the case, which is evidence and read-only; "
                                "write the report elsewhere (--json, --html, --factsheet)")
    claims, not_understood, notes = read_all_claims(claim_texts, claims_file, moment, tz, lang)
    with tempfile.TemporaryDirectory(prefix="caseline-") as tmp:
        _, result = run_ingest(case_path, Path(tmp), tz, moment)
        long_case = result.event_count > LONG_CASE_EVENTS
        _announce(long_case, f"building the timeline of {result.event_count:,} events")
        timeline = build_timeline(result.collect())
        findings = {}
        for number, claim in enumerate(claims, start=1):
            _announce(long_case, f"checking claim {number}/{len(claims)}: {claim['kind']}")
            others = {c["id"]: c for c in claims}
            findings[claim["id"]] = run_check(CheckInput(claim, timeline, moment, others, zone=tz))
        doc = build_document(version=caseline_version(), case_name=case_label(case_path),
                             reported_at=moment, tz=tz, ingest=result, timeline=timeline, claims=claims,
                             findings=findings, not_understood=not_understood, notes=notes)
    _write(json_path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    _write(html_path, render_html(doc))
    if factsheet_out is not None:
        _write(factsheet_out, render_factsheet(doc))
    _print_outcome(doc, json_path, html_path, factsheet_out)


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise CaselineError(f"{path}: cannot write the report ({err.strerror})") from None


def _print_outcome(doc: dict, json_path: Path, html_path: Path, factsheet: Path | None) -> None:
    events = doc["timeline"]["events"]
    click.echo(f"{events:,} events from {len(doc['inputs'])} files"
               + (f", {len(doc['unrecognized'])} unrecognized" if doc["unrecognized"] else ""), err=True)
    if not events:
        click.echo("warning: no event could be read from the case; every claim is inconclusive", err=True)
    if not doc["claims"]:
        click.echo("nothing to check: no claim given (the report holds the timeline summary)", err=True)
    for claim in doc["claims"]:
        click.echo(f"{claim['id']} {claim['kind']:9} {claim['verdict']:13} {claim['text']}", err=True)
    for text in doc["not_understood"]:
        click.echo(f"not understood: {text}", err=True)
    click.echo(f"json: {json_path}")
    click.echo(f"html: {html_path}")
    if factsheet is not None:
        click.echo(f"factsheet: {factsheet}")


@click.command()
@click.argument("report", type=click.Path(path_type=Path))
@click.option("--html", "html_out", type=click.Path(path_type=Path), default=None, help="HTML summary.")
@click.option("--factsheet", "factsheet_out", type=click.Path(path_type=Path), default=None,
              help="One-page pre-call fact sheet (HTML).")
@click.option("--md", "md_out", type=click.Path(path_type=Path), default=None, help="Markdown summary.")
def render_command(report: Path, html_out: Path | None, factsheet_out: Path | None, md_out: Path | None) -> None:
    """Render a saved report JSON again (HTML, fact sheet, Markdown)."""
    from reports import render_factsheet, render_html, render_markdown

    try:
        doc = json.loads(report.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CaselineError(f"{report}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CaselineError(f"{report}: not a readable report JSON ({err})") from None
    if not isinstance(doc, dict) or "claims" not in doc:
        raise CaselineError(f"{report}: not a caseline report (no 'claims' key)")
    if html_out is None and factsheet_out is None and md_out is None:
        raise click.UsageError("nothing to write: give --html, --factsheet or --md")
    for path, render, label in ((html_out, render_html, "html"), (factsheet_out, render_factsheet, "factsheet"),
                                (md_out, render_markdown, "md")):
        if path is not None:
            _write(path, render(doc))
            click.echo(f"{label}: {path}")
    sys.stdout.flush()
