"""The timeline written while parsing equals the merged one, and falls back to the merge when it must."""

import tempfile
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from evidence.case import open_case
from evidence.direct import DirectTimeline
from evidence.ingest import ingest, write_timeline

REFERENCE = datetime(2026, 1, 10, tzinfo=timezone.utc)


def _line(ts: str, n: int) -> str:
    return f"{ts} web-01 app[{n}]: event {n}"


def _timelines(case: Path, tmp_path: Path) -> tuple[pl.DataFrame, pl.DataFrame, bool]:
    """(written directly, merged the ordinary way, whether the direct path held)."""
    out_direct, out_merged = tmp_path / "direct.parquet", tmp_path / "merged.parquet"
    with tempfile.TemporaryDirectory() as work:
        result = ingest(open_case(case, Path(work)), Path(work), "UTC", REFERENCE,
                        direct=DirectTimeline(out_direct))
        write_timeline(result, out_direct)
    with tempfile.TemporaryDirectory() as work:
        write_timeline(ingest(open_case(case, Path(work)), Path(work), "UTC", REFERENCE), out_merged)
    assert not list(tmp_path.glob(".*.partial"))
    return pl.read_parquet(out_direct), pl.read_parquet(out_merged), result.direct_done


def test_one_file_in_order_is_written_directly(tmp_path):
    case = tmp_path / "case"
    case.mkdir()
    (case / "syslog").write_text("\n".join(_line(f"Jan  5 10:{i // 60:02d}:{i % 60:02d}", i) for i in range(500)) + "\n")
    direct, merged, held = _timelines(case, tmp_path)
    assert held
    assert direct.equals(merged) and direct.height == 500


@pytest.mark.parametrize("layout", ["two_files", "out_of_order"])
def test_falling_back_to_the_merge_gives_the_same_timeline(tmp_path, layout):
    case = tmp_path / "case"
    case.mkdir()
    if layout == "two_files":
        (case / "a.log").write_text("\n".join(_line(f"Jan  5 10:00:{i:02d}", i) for i in range(0, 60, 2)) + "\n")
        (case / "b.log").write_text("\n".join(_line(f"Jan  5 10:00:{i:02d}", i) for i in range(1, 60, 2)) + "\n")
    else:
        lines = [_line(f"Jan  5 10:00:{i:02d}", i) for i in range(30)] + [_line("Jan  5 09:59:00", 99)]
        (case / "syslog").write_text("\n".join(lines) + "\n")
    direct, merged, held = _timelines(case, tmp_path)
    assert not held
    assert direct.equals(merged)
    assert direct["timestamp"].is_sorted()


def test_a_file_read_twice_for_its_years_is_written_once(tmp_path):
    # two New Years in one year-less file: the parser restarts once with the right years
    case = tmp_path / "case"
    case.mkdir()
    months = ["Jun", "Sep", "Dec", "Mar", "Jun", "Sep", "Dec", "Jan"]
    (case / "syslog").write_text("\n".join(_line(f"{m}  1 00:00:00", i) for i, m in enumerate(months)) + "\n")
    direct, merged, held = _timelines(case, tmp_path)
    assert held and direct.equals(merged)
    assert direct["timestamp"].dt.year().to_list() == [2024] * 3 + [2025] * 4 + [2026]
