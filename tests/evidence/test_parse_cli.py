"""`caseline parse` end to end: outputs, order, summary, errors, inputs left untouched."""

import gzip
import os
import subprocess
import sys
import zipfile
from datetime import datetime, timezone

import polars as pl
import pytest
from click.testing import CliRunner

from evidence.case import sha256_of
from evidence.cli import main

AUTH = [
    "Nov 22 10:00:03 web-01 sshd[42]: Failed password for root from 203.0.113.9 port 22 ssh2",
    "Nov 22 10:00:09 web-01 sshd[42]: Failed password for root from 203.0.113.9 port 22 ssh2",
]
SYSLOG = [
    "Nov 22 10:00:01 web-01 CRON[7]: (root) CMD (run-parts /etc/cron.hourly)",
    "Nov 22 10:00:05 web-01 app[8]: worker started",
]


@pytest.fixture
def case_dir(tmp_path):
    case = tmp_path / "case"
    (case / "var" / "log").mkdir(parents=True)
    (case / "var" / "log" / "auth.log").write_text("\n".join(AUTH) + "\n")
    (case / "var" / "log" / "syslog.1.gz").write_bytes(gzip.compress(("\n".join(SYSLOG) + "\n").encode()))
    (case / "notes.bin").write_bytes(bytes(range(256)) * 4)
    return case


def _run(*args):
    return CliRunner().invoke(main, list(args))


def _python(code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Python code in a fresh interpreter (what a module import loads must not leak in)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_parse_writes_one_sorted_timeline(case_dir, tmp_path, suffix):
    out = tmp_path / f"timeline{suffix}"
    result = _run("parse", str(case_dir), "-o", str(out), "--tz", "Europe/Rome",
                  "--reported-at", "2026-11-23T09:00:00+01:00")
    assert result.exit_code == 0, result.output
    frame = {".parquet": pl.read_parquet, ".csv": pl.read_csv, ".jsonl": pl.read_ndjson}[suffix](out)
    assert frame.height == 4
    assert frame["source_file"].to_list() == ["var/log/syslog.1.gz", "var/log/auth.log",
                                              "var/log/syslog.1.gz", "var/log/auth.log"]
    assert frame["source_line"].to_list() == [1, 1, 2, 2]
    assert "notes.bin" in result.output and "unrecognized" in result.output
    assert "read as Europe/Rome" in result.output


def test_second_input_read_again_keeps_the_first_inputs_events(case_dir, tmp_path):
    # auth.log is written straight into the timeline until syslog.1.gz's first frame turns
    # it into a part file; syslog.1.gz's misleading modification time (early January, its
    # lines from November) makes its year estimate wrong, so it is read again: that second
    # reading must drop only its own parts
    rotated = case_dir / "var" / "log" / "syslog.1.gz"
    january = datetime(2026, 1, 5, tzinfo=timezone.utc).timestamp()
    os.utime(rotated, (january, january))
    out = tmp_path / "t.parquet"
    result = _run("parse", str(case_dir), "-o", str(out), "--reported-at", "2026-11-23T09:00:00+00:00")
    assert result.exit_code == 0, result.output
    frame = pl.read_parquet(out)
    assert frame["source_file"].to_list() == ["var/log/syslog.1.gz", "var/log/auth.log",
                                              "var/log/syslog.1.gz", "var/log/auth.log"]
    assert frame["timestamp"].dt.year().unique().to_list() == [2026]


def test_inputs_are_unchanged_after_a_run(case_dir, tmp_path):
    files = sorted(p for p in case_dir.rglob("*") if p.is_file())
    before = {p: sha256_of(p) for p in files}
    mtimes = {p: p.stat().st_mtime_ns for p in files}
    assert _run("parse", str(case_dir), "-o", str(tmp_path / "t.parquet"),
                "--reported-at", "2026-11-23T09:00:00+00:00").exit_code == 0
    assert sorted(p for p in case_dir.rglob("*") if p.is_file()) == files
    assert {p: sha256_of(p) for p in files} == before
    assert {p: p.stat().st_mtime_ns for p in files} == mtimes


def test_zip_case_parses(case_dir, tmp_path):
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("logs/auth.log", "\n".join(AUTH) + "\n")
    out = tmp_path / "t.csv"
    result = _run("parse", str(archive), "-o", str(out), "--reported-at", "2026-11-23T09:00:00+00:00")
    assert result.exit_code == 0, result.output
    assert pl.read_csv(out)["source_file"].unique().to_list() == ["logs/auth.log"]


def test_case_where_nothing_parses_is_an_error(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "blob.dat").write_bytes(bytes(range(256)) * 8)
    result = _run("parse", str(tmp_path / "c"), "-o", str(tmp_path / "t.csv"))
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("error: ")
    assert "Traceback" not in result.output


def test_missing_case_is_one_line_and_exit_1(tmp_path):
    result = _run("parse", str(tmp_path / "nope"), "-o", str(tmp_path / "t.csv"))
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {tmp_path / 'nope'}: no such file or folder"


def test_bad_output_type_and_zone_are_usage_errors(case_dir, tmp_path):
    assert _run("parse", str(case_dir), "-o", str(tmp_path / "t.txt")).exit_code == 2
    result = _run("parse", str(case_dir), "-o", str(tmp_path / "t.csv"), "--tz", "Mars/Olympus")
    assert result.exit_code == 2 and "unknown time zone" in result.output


def test_formats_lists_every_format_checked():
    from parsers.spec import load_all_specs

    result = _run("formats")
    assert result.exit_code == 0, result.output
    listed = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    assert set(listed) == set(load_all_specs())
    assert all(" ok " in line for line in listed.values())


def test_case_label_names_the_parent_of_a_generic_folder(tmp_path):
    from evidence.analyze import case_label

    (tmp_path / "acme-ticket-42" / "logs").mkdir(parents=True)
    assert case_label(tmp_path / "acme-ticket-42" / "logs") == "acme-ticket-42/logs"
    assert case_label(tmp_path / "acme-ticket-42") == "acme-ticket-42"


def test_parse_command_starts_without_the_claim_reader_and_checks():
    """`caseline parse` and `formats` load neither dateparser nor the checks; the other
    commands are still listed and load on use."""
    code = ("import sys, evidence.cli as c; "
            "assert 'dateparser' not in sys.modules and 'evidence.checks' not in sys.modules, 'loaded'; "
            "names = c.main.list_commands(None); assert names == ['analyze', 'claims', 'formats', 'parse', 'render'], names; "
            "assert c.main.get_command(None, 'analyze') is not None and 'evidence.checks' in sys.modules")
    done = _python(code)
    assert done.returncode == 0, done.stderr


def test_parsing_syslog_loads_neither_pandas_nor_pyarrow_compute(case_dir, tmp_path):
    """Reading times from the column's bytes must not pull in pandas or pyarrow.compute
    (0.2 s of start-up for every small case); a line that is no syslog line gives the
    column a null."""
    with (case_dir / "var" / "log" / "auth.log").open("a") as log:
        log.write("not a syslog line\n")
    code = ("import sys; from evidence.cli import main\n"
            "try:\n"
            f"    main(['parse', {str(case_dir)!r}, '-o', {str(tmp_path / 't.parquet')!r}])\n"
            "except SystemExit as done:\n"
            "    assert not done.code, done.code\n"
            "loaded = [m for m in ('pandas', 'pyarrow.compute') if m in sys.modules]\n"
            "assert not loaded, loaded\n")
    done = _python(code)
    assert done.returncode == 0, done.stderr


def test_event_ids_carry_each_files_hash(case_dir, tmp_path):
    out = tmp_path / "t.parquet"
    assert _run("parse", str(case_dir), "-o", str(out)).exit_code == 0
    frame = pl.read_parquet(out)
    for name, line_no, event_id in frame.select("source_file", "source_line", "event_id").iter_rows():
        assert event_id == f"{sha256_of(case_dir / name)[:8]}:{line_no}"



def test_allocator_setting_comes_before_polars_is_imported():
    """jemalloc reads _RJEM_MALLOC_CONF once, when polars first allocates: the command must
    set it before anything imports polars (and leave a user's own setting alone)."""
    code = ("import os, sys\n"
            "seen = []\n"
            "class Watch:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'polars' and not seen:\n"
            "            seen.append(os.environ.get('_RJEM_MALLOC_CONF'))\n"
            "sys.meta_path.insert(0, Watch())\n"
            "import evidence.cli\n"
            "print(seen[0])\n")
    env = {k: v for k, v in __import__("os").environ.items() if k != "_RJEM_MALLOC_CONF"}
    done = _python(code, env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("dirty_decay_ms:")
    env["_RJEM_MALLOC_CONF"] = "narenas:1"
    done = _python(code, env)
    assert done.stdout.strip() == "narenas:1"


def test_log_collected_days_after_the_report_keeps_its_year(tmp_path):
    """The customer spoke on Nov 23; the log, collected on Nov 26, runs to Nov 26. Its last
    lines come after the report time, so the report time alone would place the whole file a
    year earlier; the modification time (within the collection window) says when it ends."""
    case = tmp_path / "case"
    case.mkdir()
    log = case / "syslog"
    log.write_text("".join(f"Nov {day} 10:00:00 web-01 app[1]: tick {day}\n" for day in range(20, 27)))
    collected = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc).timestamp()
    os.utime(log, (collected, collected))
    out = tmp_path / "t.parquet"
    result = _run("parse", str(case), "-o", str(out), "--reported-at", "2026-11-23T09:00:00+00:00")
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(out)["timestamp"].dt.year().unique().to_list() == [2026]
    assert ("year 2026 inferred from the file's modification time 2026-11-26T12:00:00+00:00, after the "
            "report time 2026-11-23T09:00:00+00:00") in result.output
    # a copy made long after the report (a checkout, a re-upload) does not move the years
    months_later = datetime(2027, 6, 1, tzinfo=timezone.utc).timestamp()
    os.utime(log, (months_later, months_later))
    assert _run("parse", str(case), "-o", str(out), "--reported-at", "2026-11-30T09:00:00+00:00").exit_code == 0
    assert pl.read_parquet(out)["timestamp"].dt.year().unique().to_list() == [2026]


def test_years_relative_to_the_report_or_a_modification_soon_after():
    from datetime import timedelta

    from evidence.ingest import COLLECTION_WINDOW, years_relative_to
    reported = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    assert years_relative_to(None, reported) == reported
    assert years_relative_to(reported, reported - timedelta(days=40)) == reported  # an old rotated file
    assert years_relative_to(reported, reported + timedelta(days=3)) == reported + timedelta(days=3)
    assert years_relative_to(reported, reported + COLLECTION_WINDOW + timedelta(seconds=1)) == reported


def test_a_cut_short_rotated_log_gives_its_lines_and_a_warning(tmp_path):
    case = tmp_path / "case"
    case.mkdir()
    text = "".join(f"Nov 22 10:{i // 60 % 60:02d}:{i % 60:02d} web-01 app[1]: line {i}\n" for i in range(30_000))
    packed = gzip.compress(text.encode())
    (case / "syslog.2.gz").write_bytes(packed[: len(packed) // 2])
    out = tmp_path / "t.parquet"
    result = _run("parse", str(case), "-o", str(out), "--reported-at", "2026-12-01T00:00:00+00:00")
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(out).height > 10_000
    assert "syslog.2.gz: compressed data ends before its end-of-stream marker" in result.output
