"""The demo cases (sample_logs/cases/*/case.toml + logs/) end to end through `caseline analyze`: verdicts, citations, reports."""

from __future__ import annotations

import html
import importlib.util
import json
import sqlite3
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from evidence.cli import main

CASES = Path(__file__).resolve().parents[1] / "sample_logs" / "cases"
NAMES = sorted(p.parent.name for p in CASES.glob("*/case.toml"))
KINDS = {"onset", "slowness", "popup", "outage", "login", "reboot", "crash", "change"}
VERDICTS = {"supported", "contradicted", "inconclusive"}
SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_BYTES = 200_000


def load(name: str) -> dict:
    return tomllib.loads((CASES / name / "case.toml").read_text(encoding="utf-8"))


def expectations() -> list:
    """One pytest param per [[expect]]; a known checker disagreement is a strict xfail, so the
    test starts failing (XPASS) the day the checker is fixed and the note must go."""
    params = []
    for name in NAMES:
        for index, item in enumerate(load(name)["expect"]):
            marks = [pytest.mark.xfail(reason=item["checker_issue"], strict=True)] if "checker_issue" in item else []
            suffix = f"-{index}" if "text" in item else ""
            params.append(pytest.param(name, index, id=f"{name}-{item['kind']}-{item['polarity']}{suffix}", marks=marks))
    return params


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Each case analyzed once: name -> (report JSON, HTML text, fact sheet text)."""
    done: dict[str, tuple[dict, str, str]] = {}

    def get(name: str) -> tuple[dict, str, str]:
        if name not in done:
            case = load(name)
            out = tmp_path_factory.mktemp(name)
            # a case may give its claims as a claims file (next to case.toml) instead of the statement
            claims = (["--claims-file", str(CASES / name / case["claims_file"])] if "claims_file" in case
                      else ["--claim", case["statement"]])
            result = CliRunner().invoke(main, [
                "analyze", str(CASES / name / "logs"), *claims,
                "--reported-at", case["reported_at"], "--tz", case["tz"], "--lang", case["lang"],
                "--json", str(out / "report.json"), "--html", str(out / "report.html"),
                "--factsheet", str(out / "factsheet.html")])
            assert result.exit_code == 0, result.output
            done[name] = (json.loads((out / "report.json").read_text(encoding="utf-8")),
                          (out / "report.html").read_text(encoding="utf-8"),
                          (out / "factsheet.html").read_text(encoding="utf-8"))
        return done[name]

    return get


def test_there_are_enough_cases_to_cover_every_kind_verdict_and_language():
    items = [(load(n)["lang"], e["kind"], e["verdict"]) for n in NAMES for e in load(n)["expect"]]
    assert len(NAMES) >= 6
    assert {kind for _, kind, _ in items} == KINDS
    assert {verdict for _, _, verdict in items} == VERDICTS
    assert len({lang for lang, _, _ in items}) >= 3


@pytest.mark.parametrize("name", NAMES)
def test_case_file_is_complete_and_logs_are_small(name):
    case = load(name)
    assert {"title", "statement", "reported_at", "tz", "lang", "expect", "formats"} <= set(case)
    assert datetime.fromisoformat(case["reported_at"]).utcoffset() is not None
    ZoneInfo(case["tz"])
    if "claims_file" in case:
        assert (CASES / name / case["claims_file"]).is_file()
    for item in case["expect"]:
        assert item["kind"] in KINDS and item["verdict"] in VERDICTS
        assert item["polarity"] in ("asserted", "denied")
        if "onset_near" in item:
            assert datetime.fromisoformat(item["onset_near"]).utcoffset() is not None
    logs = CASES / name / "logs"
    files = sorted(p.relative_to(logs).as_posix() for p in logs.rglob("*") if p.is_file())
    assert files == sorted(case["formats"])
    assert all((logs / f).stat().st_size < MAX_BYTES for f in files)


@pytest.mark.parametrize("name", NAMES)
def test_every_log_is_read_by_its_parser_with_one_malformed_line(name, reports):
    doc, _, _ = reports(name)
    case = load(name)
    assert doc["unrecognized"] == []
    reported = datetime.fromisoformat(case["reported_at"])
    read = {item["source_file"]: item for item in doc["inputs"]}
    assert {f: read[f]["source_format"] for f in read} == case["formats"]
    for source_file, item in read.items():
        binary = (CASES / name / "logs" / source_file).read_bytes()[:16] == SQLITE_MAGIC
        assert item["events"] > 0, source_file
        assert datetime.fromisoformat(item["last"]) <= reported, source_file  # nothing logged after the call
        assert item["unparsed"] == (0 if binary else 1), source_file


@pytest.mark.parametrize("name", NAMES)
def test_the_statement_gives_the_expected_claims(name, reports):
    doc, _, _ = reports(name)
    got = sorted((c["kind"], c["polarity"]) for c in doc["claims"])
    assert got == sorted((e["kind"], e["polarity"]) for e in load(name)["expect"])
    assert doc["not_understood"] == []


@pytest.mark.parametrize("name,index", expectations())
def test_expected_verdict_and_onset(name, index, reports):
    doc, _, _ = reports(name)
    item = load(name)["expect"][index]
    # `text` (part of the claim's words) picks one of several claims of the same kind and polarity
    claim = next(c for c in doc["claims"] if (c["kind"], c["polarity"]) == (item["kind"], item["polarity"])
                 and item.get("text", c["text"]) in c["text"])
    assert claim["verdict"] == item["verdict"], claim["explanation"]
    if "onset_near" in item:
        first = datetime.fromisoformat(claim["observed"]["first"])
        near = datetime.fromisoformat(item["onset_near"])
        assert abs(first - near) <= timedelta(minutes=item.get("tolerance_minutes", 5)), claim["explanation"]


@pytest.mark.parametrize("name", NAMES)
def test_every_finding_cites_events_of_the_case(name, reports):
    doc, _, _ = reports(name)
    logs = CASES / name / "logs"
    for claim in doc["claims"]:
        if claim["verdict"] == "inconclusive":
            continue
        assert claim["evidence"], claim["id"]
        for event in claim["evidence"]:
            assert (logs / event["source_file"]).is_file(), event
            assert event["source_line"] is not None or event.get("source_record") is not None, event


@pytest.mark.parametrize("name", NAMES)
def test_reports_are_written_and_run_no_script(name, reports):
    doc, page, sheet = reports(name)
    for text in (page, sheet):
        assert text.lstrip().lower().startswith("<!doctype html")
        assert "<script" not in text.lower()
    # jinja2 escapes quotes too (&#x27; / &#34;); either escaping of the words counts
    words = doc["claims"][0]["text"]
    escaped = {html.escape(words, quote=False),
               html.escape(words).replace("&#x27;", "&#39;"),
               html.escape(words, quote=False).replace("'", "&#39;").replace('"', "&#34;")}
    assert any(form in page for form in escaped)


def test_readme_describes_every_case():
    readme = (CASES / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        case = load(name)
        assert f"`{name}`" in readme and case["statement"] in readme


@pytest.mark.parametrize("generator", sorted(p.name for p in CASES.glob("make_*.py")))
def test_committed_history_matches_its_generator(generator, tmp_path):
    spec = importlib.util.spec_from_file_location(generator[:-3], CASES / generator)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = tmp_path / "History"
    module.write_history(fresh)

    def rows(path: Path) -> dict:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                    for table in ("urls", "visits", "downloads", "downloads_url_chains", "meta")}
        finally:
            conn.close()

    assert rows(fresh) == rows(module.HISTORY)
