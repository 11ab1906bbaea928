"""Where the CPU of one `caseline parse` goes, thread by thread (Linux: /proc/self/task).

Run by hand after parse_bench.py has kept its input:
    python benchmarks/parse_bench.py --mb 1024 --keep /tmp/b
    python benchmarks/parse_threads.py /tmp/b/case

parse-chunk_* threads parse chunks, write-timeline writes the Parquet file (write-part the
part files of a case that is not one input in time order), the main thread reads, settles
years and hands frames on, and polars-* is polars' own pool working for all of them."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TICK = os.sysconf("SC_CLK_TCK")


def thread_cpu() -> dict[int, tuple[str, float]]:
    """CPU seconds (user + system) of each live thread of this process, with its OS name."""
    found = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            stat = Path(f"/proc/self/task/{tid}/stat").read_text()
            name = Path(f"/proc/self/task/{tid}/comm").read_text().strip()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        found[int(tid)] = (name, (int(fields[11]) + int(fields[12])) / TICK)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", type=Path)
    args = parser.parse_args()
    from evidence.cli import main as caseline

    seen: dict[int, tuple[str, float]] = {}
    names: dict[int, str] = {}
    done = threading.Event()

    def watch() -> None:
        # threads end before the command returns: read them while they run
        while not done.is_set():
            seen.update(thread_cpu())
            names.update({t.native_id: t.name for t in threading.enumerate() if t.native_id})
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, name="watcher", daemon=True)
    watcher.start()
    start, cpu_start = time.perf_counter(), time.process_time()
    out = Path(tempfile.mkdtemp(prefix="caseline-threads-")) / "timeline.parquet"
    try:
        caseline(["parse", str(args.case), "-o", str(out), "--tz", "UTC",
                  "--reported-at", "2026-12-31T00:00:00+00:00"], standalone_mode=False)
    finally:
        done.set()
        watcher.join()
        seen.update(thread_cpu())
        out.unlink(missing_ok=True)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    totals: dict[str, float] = {}
    for tid, (os_name, seconds) in seen.items():
        label = names.get(tid, os_name)
        if label != "watcher":
            totals[label] = totals.get(label, 0.0) + seconds
    print(f"wall {wall:.1f} s, process CPU {cpu:.1f} s after imports "
          f"(thread figures include the imports on the main thread)")
    for label, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        if seconds >= 0.05:
            print(f"  {label:28} {seconds:7.2f} s")


if __name__ == "__main__":
    main()
