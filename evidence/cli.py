"""The caseline command: parse, formats, claims, analyze, render. Errors are one line, never a traceback."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

# polars' allocator (jemalloc, which reads this at its first allocation, so before polars is
# imported): keep freed pages ten seconds and release them at once after that, instead of
# polars' default. Chunks of the same size are allocated and freed over and over; with
# the default, a third of the 1 GB benchmark's system time went to faulting the same pages
# in again (`_RJEM_MALLOC_CONF= python benchmarks/parse_bench.py` against the plain command:
# 4.5 -> 2.5-2.6 s system, 20.4-20.7 -> 19.2-19.3 s, peak 622-641 -> 667-711 MB).
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:10000,muzzy_decay_ms:0")

import click  # noqa: E402  (after the allocator setting, like every import below)

from evidence.case import CaseError
from evidence.cli_common import OUTPUT_TYPES, CaselineError, parse_instant, parse_zone, run_ingest
from evidence.direct import DirectTimeline
from evidence.ingest import write_timeline


# Commands whose modules load the claim reader and the checks (dateparser and the language
# tables among them): imported when used, so that `parse` and `formats` start without them.
LAZY_COMMANDS = {
    "claims": ("evidence.claims.cli", "claims_command"),
    "analyze": ("evidence.analyze", "analyze_command"),
    "render": ("evidence.analyze", "render_command"),
}


class Group(click.Group):
    """Turns unexpected exceptions into one line unless --debug was given; loads the heavier
    commands on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS and name not in self.commands:
            module, attribute = LAZY_COMMANDS[name]
            self.add_command(getattr(__import__(module, fromlist=[attribute]), attribute), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except CaseError as err:
            raise CaselineError(str(err)) from None
        except Exception as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise CaselineError(f"{type(err).__name__}: {err} (run with --debug for details)") from None


@click.group(cls=Group)
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.version_option(package_name="caseline")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Check what a customer said against the logs they sent."""
    ctx.obj = {"debug": debug}


@main.command()
@click.argument("case_path", type=click.Path(path_type=Path))
@click.option("-o", "--output", "output", required=True, type=click.Path(path_type=Path),
              help="Timeline file: .parquet, .csv or .jsonl.")
@click.option("--tz", default="UTC", show_default=True, help="Zone of sources that carry none (IANA name).")
@click.option("--reported-at", default=None,
              help="When the case was reported (ISO 8601); anchors years in year-less logs. "
                   "Default: each file's modification time.")
def parse(case_path: Path, output: Path, tz: str, reported_at: str | None) -> None:
    """Parse every file of CASE_PATH into one UTC timeline."""
    tz = parse_zone(tz)
    if output.suffix.lower() not in OUTPUT_TYPES:
        raise click.BadParameter(f"{output.name}: use .parquet, .csv or .jsonl", param_hint="-o")
    reference = parse_instant(reported_at, tz) if reported_at else None
    output.parent.mkdir(parents=True, exist_ok=True)
    # Parquet output is written as the case parses while it is one input in time order
    direct = DirectTimeline(output) if output.suffix.lower() == ".parquet" else None
    with tempfile.TemporaryDirectory(prefix="caseline-") as tmp:
        _, result = run_ingest(case_path, Path(tmp), tz, reference, direct)
        if not result.event_count:
            names = ", ".join(s.source_file for s in result.unrecognized[:5])
            raise CaselineError(f"{case_path}: no event could be read from the case "
                                f"(unrecognized: {names or 'none'}); see `caseline formats` and the warnings above")
        write_timeline(result, output)
    _print_summary(result)
    click.echo(f"wrote {result.event_count} events to {output}", err=True)


def _print_summary(result) -> None:
    out = sys.stderr
    click.echo(f"{'file':40} {'format':18} {'events':>8} {'unparsed':>8}  first / last (UTC)  sha256", file=out)
    for s in result.inputs:
        span = f"{s.first:%Y-%m-%d %H:%M:%S} / {s.last:%Y-%m-%d %H:%M:%S}" if s.first else "-"
        click.echo(f"{s.source_file[-40:]:40} {s.source_format:18} {s.events:>8} {s.unparsed:>8}  {span}  {s.sha256[:16]}", file=out)
    for s in result.unrecognized:
        click.echo(f"{s.source_file[-40:]:40} {'unrecognized':18} {'-':>8} {'-':>8}  {s.reason}  {s.sha256[:16]}", file=out)
    for note in result.assumptions:
        click.echo(f"assumption: {note}", file=out)
    for note in result.warnings:
        click.echo(f"warning: {note}", file=out)


@main.command()
def formats() -> None:
    """List every format with its samples checked."""
    from parsers.registry import registry_problems
    from parsers.selfcheck import check_all
    from parsers.spec import load_all_specs

    specs = load_all_specs()
    problems = check_all(specs)
    bad = {}
    for problem in problems:
        name = Path(problem.where.split(" ")[0]).stem
        bad.setdefault(name, []).append(problem)
    for name, spec in specs.items():
        status = "ok" if name not in bad else f"{len(bad[name])} problem(s)"
        kind = spec.engine
        click.echo(f"{name:26} {kind:6} {len(spec.samples) + len(spec.rule_samples):4} samples  {status:12} {spec.title}")
    for name, items in bad.items():
        for problem in items:
            click.echo(f"  {problem}", err=True)
    for problem in registry_problems():
        click.echo(f"  {problem}", err=True)
    if problems or registry_problems():
        sys.exit(1)


