"""Benchmark: parse time of each browser database and sar/sadf/sa corpus file (target < 1 s each).

Run: python benchmarks/small_formats_bench.py [CORPUS_DIR]
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from parsers.base import ParseContext, Source
from parsers.registry import all_parsers

FILES = (
    ("chrome_history", "browser/chrome/History"),
    ("firefox_history", "browser/firefox/places.sqlite"),
    ("firefox_downloads", "browser/firefox/downloads.sqlite"),
    ("safari_history", "browser/safari/History.db"),
    ("sar", "sar/data-12.0.0.sar-AC.txt"),
    ("sar", "sar/data-10.3.1.sar-CA.txt"),
    ("sysstat_sa", "sar/data-12.0.0.sa"),
    ("defender_detectionhistory", "defender/DetectionHistory/6AFE33A0-19BA-4FFF-892F-B700539D7D63"),
)
REPEAT = 5


def bench(corpus: Path) -> None:
    parsers = all_parsers()
    for name, relative in FILES:
        path = corpus / relative
        best, events = float("inf"), 0
        for _ in range(REPEAT):
            with tempfile.TemporaryDirectory() as work:
                ctx = ParseContext(relative, hashlib.sha256(path.read_bytes()).hexdigest(), tz="UTC",
                                   reference_time=datetime(2026, 11, 23, tzinfo=timezone.utc), workdir=Path(work))
                start = time.perf_counter()
                frames = list(parsers[name].parse(Source(path, path.name), ctx))
                best = min(best, time.perf_counter() - start)
                events = sum(f.height for f in frames)
        print(f"{name:26s} {relative:60s} {best * 1000:8.1f} ms  {events:6d} events  {ctx.units:5d} units")
    print(f"(best of {REPEAT}; polars {pl.__version__})")


if __name__ == "__main__":
    bench(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "corpus")
