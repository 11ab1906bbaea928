"""`caseline analyze` and `caseline render` end to end on a synthetic case folder written in tmp_path."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from evidence.case import sha256_of
from evidence.cli import main

REPORTED = "2026-11-23T11:00:00+01:00"
WEBSITE_DOWN = "the website has been down since yesterday evening"


def _syslog() -> str:
    """Cron every 10 min from Nov 20 to the call; php-fpm failing every 15 min from Nov 22 20:05."""
    lines = []
    moment, end = datetime(2026, 11, 20, 0, 0, 1), datetime(2026, 11, 23, 10, 50)
    while moment <= end:
        lines.append((moment, f"{moment:%b} {moment.day:2d} {moment:%H:%M:%S} web-01 CRON[7]: (root) CMD (run-parts)"))
        moment += timedelta(minutes=10)
    moment = datetime(2026, 11, 22, 20, 5)
    while moment <= end:
        lines.append((moment, f"{moment:%b} {moment.day:2d} {moment:%H:%M:%S} web-01 systemd[1]: "
                              "php-fpm.service: Failed with result 'exit-code'."))
        moment += timedelta(minutes=15)
    return "\n".join(text for _, text in sorted(lines)) + "\n"


@pytest.fixture
def case_dir(tmp_path):
    case = tmp_path / "acme-4711"
    (case / "var" / "log").mkdir(parents=True)
    (case / "var" / "log" / "syslog").write_text(_syslog())
    return case


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _analyze(case, out, *claims, extra=()):
    args = ["analyze", case, "--reported-at", REPORTED, "--tz", "Europe/Rome", "--json", out / "r.json",
            "--html", out / "r.html", *extra]
    for text in claims:
        args += ["--claim", text]
    return _run(*args)


def test_analyze_writes_the_report_and_says_where(case_dir, tmp_path):
    out = tmp_path / "out"
    before = sha256_of(case_dir / "var" / "log" / "syslog")
    result = _analyze(case_dir, out, WEBSITE_DOWN, "nobody changed anything",
                      extra=["--factsheet", out / "fact.html"])
    assert result.exit_code == 0, result.output
    assert f"json: {out / 'r.json'}" in result.stdout and f"factsheet: {out / 'fact.html'}" in result.stdout
    doc = json.loads((out / "r.json").read_text())
    by_kind = {c["kind"]: c for c in doc["claims"]}
    onset = by_kind["onset"]
    assert onset["verdict"] == "supported"
    assert onset["delta_seconds"] == 2 * 3600 + 5 * 60  # 20:05 against the evening's 18:00
    assert onset["evidence"][0]["source_line"] is not None
    assert by_kind["outage"]["verdict"] == "supported"
    assert by_kind["change"]["verdict"] == "inconclusive" and by_kind["change"]["missing"]
    assert "nobody changed anything" in (out / "r.html").read_text()
    assert (out / "fact.html").exists()
    assert sha256_of(case_dir / "var" / "log" / "syslog") == before
    assert sorted(p.name for p in case_dir.rglob("*")) == ["log", "syslog", "var"]


def test_json_contract_keys_and_types(case_dir, tmp_path):
    result = _analyze(case_dir, tmp_path, WEBSITE_DOWN)
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "r.json").read_text())
    for key, kind in {"caseline_version": str, "reported_at": str, "timezone": str, "inputs": list,
                      "coverage": dict, "assumptions": list, "claims": list, "case": str, "chart": dict,
                      "not_understood": list, "unrecognized": list, "warnings": list}.items():
        assert isinstance(doc[key], kind), key
    assert doc["reported_at"] == REPORTED and doc["timezone"] == "Europe/Rome"
    (source,) = doc["inputs"]
    assert set(source) == {"source_file", "sha256", "source_format", "events", "unparsed", "first", "last"}
    assert source["source_file"] == "var/log/syslog" and len(source["sha256"]) == 64
    assert set(doc["coverage"]) >= {"first", "last"}
    for claim in doc["claims"]:
        assert list(claim)[:10] == ["id", "text", "kind", "polarity", "window", "verdict", "observed",
                                    "delta_seconds", "evidence", "explanation"]
        assert claim["verdict"] in ("supported", "contradicted", "inconclusive")
        assert claim["window"] is None or set(claim["window"]) == {"start", "end"}
        assert claim["observed"] is None or set(claim["observed"]) == {"first", "last", "count"}
        assert claim["delta_seconds"] is None or isinstance(claim["delta_seconds"], int)
        assert len(claim["evidence"]) <= 10
        if claim["verdict"] != "inconclusive":
            assert claim["evidence"]
        for event in claim["evidence"]:
            assert {"event_id", "source_file", "source_line", "timestamp", "message"} <= set(event)
            assert datetime.fromisoformat(event["timestamp"]).utcoffset() is not None
    chart = doc["chart"]
    assert isinstance(chart["bucket_seconds"], int) and chart["categories"]
    assert all(len(s["counts"]) == len(chart["series"][0]["counts"]) for s in chart["series"])
    assert sum(sum(s["counts"]) for s in chart["series"]) == source["events"]


def test_same_inputs_same_report(case_dir, tmp_path):
    _analyze(case_dir, tmp_path / "a", WEBSITE_DOWN)
    _analyze(case_dir, tmp_path / "b", WEBSITE_DOWN)
    assert (tmp_path / "a" / "r.json").read_bytes() == (tmp_path / "b" / "r.json").read_bytes()
    assert (tmp_path / "a" / "r.html").read_bytes() == (tmp_path / "b" / "r.html").read_bytes()


def test_no_claim_still_writes_the_timeline_summary(case_dir, tmp_path):
    result = _analyze(case_dir, tmp_path)
    assert result.exit_code == 0, result.output
    assert "nothing to check" in result.stderr
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["claims"] == [] and doc["inputs"][0]["events"] > 0
    assert any("nothing to check" in w for w in doc["warnings"])


def test_a_claim_not_understood_is_listed_not_dropped(case_dir, tmp_path):
    result = _analyze(case_dir, tmp_path, "blah blah blah", WEBSITE_DOWN)
    assert result.exit_code == 0, result.output
    assert "not understood: blah blah blah" in result.stderr
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["not_understood"] == ["blah blah blah"]
    assert [c["id"] for c in doc["claims"]] == ["c1", "c2"]


def test_default_outputs_go_to_the_current_folder(case_dir, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = _run("analyze", case_dir, "--reported-at", REPORTED, "--tz", "Europe/Rome", "--claim", WEBSITE_DOWN)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in work.iterdir()) == ["acme-4711-report.html", "acme-4711-report.json"]


def test_report_inside_the_case_is_refused(case_dir):
    result = _run("analyze", case_dir, "--reported-at", REPORTED, "--tz", "Europe/Rome",
                  "--json", case_dir / "r.json")
    assert result.exit_code == 1
    assert "read-only" in result.stderr and "Traceback" not in result.output


def test_nonexistent_case_is_one_line_and_exit_1(tmp_path):
    result = _run("analyze", tmp_path / "missing", "--reported-at", REPORTED, "--tz", "UTC")
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "no such file or folder" in result.stderr


def test_empty_case_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    result = _run("analyze", tmp_path / "empty", "--reported-at", REPORTED, "--tz", "UTC",
                  "--json", tmp_path / "r.json", "--html", tmp_path / "r.html")
    assert result.exit_code == 1
    assert "holds no readable file" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(("option", "value"), [("--reported-at", "yesterday"), ("--tz", "Mars/Olympus")])
def test_bad_time_options_are_usage_errors(case_dir, tmp_path, option, value):
    args = {"--reported-at": REPORTED, "--tz": "UTC", option: value}
    result = _run("analyze", case_dir, "--json", tmp_path / "r.json", *[x for kv in args.items() for x in kv])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_render_reads_a_saved_report_again(case_dir, tmp_path):
    _analyze(case_dir, tmp_path, WEBSITE_DOWN)
    result = _run("render", tmp_path / "r.json", "--html", tmp_path / "again.html", "--md", tmp_path / "r.md",
                  "--factsheet", tmp_path / "f.html")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "again.html").read_text() == (tmp_path / "r.html").read_text()
    assert WEBSITE_DOWN.split()[1] in (tmp_path / "r.md").read_text()


def test_render_of_a_broken_file_is_one_line(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    result = _run("render", tmp_path / "bad.json", "--html", tmp_path / "x.html")
    assert result.exit_code == 1 and "not a readable report JSON" in result.stderr


def test_claims_file_adds_to_the_command_line_claims(case_dir, tmp_path):
    claims = tmp_path / "claims.json"
    claims.write_text(json.dumps(["nobody changed anything"]))
    result = _analyze(case_dir, tmp_path, WEBSITE_DOWN, extra=["--claims-file", claims])
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "r.json").read_text())
    assert [c["kind"] for c in doc["claims"]] == ["outage", "onset", "change"]
    assert [c["id"] for c in doc["claims"]] == ["c1", "c2", "c3"]


def test_missing_claims_file_is_one_line(case_dir, tmp_path):
    result = _analyze(case_dir, tmp_path, extra=["--claims-file", tmp_path / "nope.json"])
    assert result.exit_code == 1 and "cannot read claims file" in result.stderr


def test_hostile_log_text_is_escaped_end_to_end(tmp_path):
    """A log line carrying markup reaches the HTML only as text."""
    case = tmp_path / "case"
    case.mkdir()
    (case / "auth.log").write_text(
        "Nov 22 10:00:01 web-01 sshd[42]: Invalid user <script>alert(1)</script> from 203.0.113.9\n"
        "Nov 22 10:00:02 web-01 sshd[42]: Failed password for invalid user \"><img src=x onerror=alert(1)> "
        "from 203.0.113.9 port 22 ssh2\n"
        "Nov 22 10:00:03 web-01 sshd[42]: Failed password for root from 203.0.113.9 port 22 ssh2\n"
        "Nov 22 10:00:04 web-01 sshd[42]: Failed password for root from 203.0.113.9 port 22 ssh2\n"
        "<script>alert(2)</script> not a syslog line\n"
    )
    html, factsheet = tmp_path / "r.html", tmp_path / "f.html"
    result = CliRunner().invoke(main, [
        "analyze", str(case), "--claim", "I can't log in since this morning",
        "--reported-at", "2026-11-22T11:00:00+00:00", "--tz", "UTC",
        "--json", str(tmp_path / "r.json"), "--html", str(html), "--factsheet", str(factsheet)])
    assert result.exit_code == 0, result.output
    for path in (html, factsheet):
        text = path.read_text()
        assert "<script" not in text.lower() and "<img" not in text.lower()
    # the unparsed line is quoted among the warnings, as text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html.read_text()
