"""CPU milliseconds of each stage of the line engine on one 8 MB chunk of syslog, single thread
(POLARS_MAX_THREADS=1 is set here), best of --reps runs. Run by hand:

    python benchmarks/parse_bench.py --mb 100 --keep /tmp/b     # makes /tmp/b/case/syslog
    python benchmarks/chunk_stages.py /tmp/b/case/syslog

--only STAGE runs one stage --reps times and prints nothing else, for an instruction count
that does not depend on the machine's load:

    valgrind --tool=callgrind python benchmarks/chunk_stages.py FILE --only transform --reps 3

--gz FILE.gz also times reading the last lines of a compressed file (what a year-less .gz
once cost before its parse). --root DIR measures another checkout of caseline (an earlier
commit, from `git worktree add DIR COMMIT`) with the same script: stages it lacks print n/a.

    git worktree add /tmp/before 99bc087
    python benchmarks/chunk_stages.py /tmp/b/case/syslog --root /tmp/before"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("POLARS_MAX_THREADS", "1")


def _root() -> Path:
    """--root, read before the package is imported: which checkout's code to measure."""
    if "--root" in sys.argv:
        return Path(sys.argv[sys.argv.index("--root") + 1]).resolve()
    return Path(__file__).resolve().parents[1]


sys.path.insert(0, str(_root()))

import polars as pl  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from parsers import engine, rules  # noqa: E402
from parsers import timestamps as ts  # noqa: E402
from parsers.base import ParseContext, Source  # noqa: E402
from parsers.lines import split_lines  # noqa: E402
from parsers.registry import all_parsers  # noqa: E402
from parsers import schema  # noqa: E402

CHUNK = 8 * 1024 * 1024


def best(fn, reps: int) -> tuple[float, object]:
    """Least CPU seconds (all threads) over reps runs, and the last result."""
    least, result = float("inf"), None
    for _ in range(reps):
        start = time.process_time()
        result = fn()
        least = min(least, time.process_time() - start)
    return least, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="a syslog file (its first 8 MB are the chunk)")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--only", choices=("transform", "rules"), default=None)
    parser.add_argument("--gz", type=Path, default=None, help="a gzip file whose tail read to time")
    parser.add_argument("--root", type=Path, default=None, help="another checkout of caseline to measure")
    parser.add_argument("--writer-variants", action="store_true",
                        help="also time the Parquet write with other codecs and with dictionary-encoded input")
    args = parser.parse_args()

    syslog = all_parsers()["syslog"]
    data = args.file.open("rb").read(CHUNK)
    text = data[: data.rfind(b"\n") + 1].decode("utf-8", errors="replace")
    ctx = ParseContext("syslog", "0" * 64, reference_time=datetime(2026, 12, 31, tzinfo=timezone.utc))
    lines = split_lines(text)

    # the frame the rules see: everything _fields builds before them
    seen: dict[str, pl.DataFrame] = {}
    real_rules = engine.apply_rules
    engine.apply_rules = lambda frame, _rules: seen.setdefault("frame", frame)
    syslog._transform(lines, 1, ctx)
    engine.apply_rules = real_rules
    before_rules = seen["frame"]

    if args.only == "transform":
        for _ in range(args.reps):
            syslog._transform(lines, 1, ctx)
        return
    if args.only == "rules":
        for _ in range(args.reps):
            rules.apply_rules(before_rules, syslog.spec.rules)
        return

    figures: list[tuple[str, float]] = []

    def stage(name: str, fn):
        try:
            seconds, result = best(fn, args.reps)
        except (AttributeError, TypeError):  # an older checkout without this piece
            figures.append((name, None))
            return None
        figures.append((name, seconds * 1000))
        return result

    stage("split lines", lambda: split_lines(text))
    extracted = stage("pattern captures (extract)", lambda: syslog.extract(lines))
    stage("timestamps", lambda: syslog._stamps(extracted[0], ctx))
    stage("transform, all of it", lambda: syslog._transform(lines, 1, ctx))
    stage("  of which: event rules", lambda: rules.apply_rules(before_rules, syslog.spec.rules))
    messages = before_rules["message"]
    stage("  JSON escape check, bytes", lambda: rules.needs_escape_rows(messages))
    stage("  JSON escape check, a regex per row", lambda: messages.str.contains(r'["\\\x00-\x1f]'))
    good, bad, count = syslog._transform(lines, 1, ctx)
    settled = stage("settle (year roll)", lambda: syslog._settle(good, bad, count, ctx, ts.YearTracker()))
    finished = stage("finish years", lambda: syslog._finish_years(settled, 2026, ctx))
    stage("validate", lambda: schema.validate(finished))
    table = stage("to Arrow (views)", lambda: finished.to_arrow(compat_level=pl.CompatLevel.newest()))
    kept = [c for c in getattr(schema, "DICTIONARY_COLUMNS", ()) if c in table.column_names]
    stats = ["timestamp", "source_line", *kept]

    def write(data, **options) -> int:
        """The Parquet file's size; options as the timeline writer's, but for those given."""
        buffer = io.BytesIO()
        pq.write_table(data, buffer, **{"compression": "zstd", "compression_level": 1, "use_dictionary": kept,
                                        "write_statistics": stats, **options})
        return buffer.tell()

    def write_stage(name: str, data, **options) -> None:
        size = stage(name, lambda: write(data, **options))
        if size is not None:
            figures[-1] = (f"{name} ({size / 1e6:.1f} MB)", figures[-1][1])

    write_stage("Parquet write (zstd 1, dictionaries where values repeat)", table)
    if args.writer_variants:
        write_stage("  Parquet write, zstd -3", table, compression_level=-3)
        write_stage("  Parquet write, lz4", table, compression="lz4", compression_level=None)
        write_stage("  Parquet write, uncompressed", table, compression="none", compression_level=None)
        # the columns with few values as Arrow dictionaries: the writer then does not hash them
        encoded = stage("  dictionary-encode the repeated columns", lambda: finished.with_columns(
            [pl.col(c).cast(pl.Categorical) for c in kept]).to_arrow())
        write_stage("  Parquet write of the encoded table", encoded, store_schema=False)
    if args.gz is not None:
        source = Source(args.gz, args.gz.name, "gz")
        stage(f"tail of {args.gz.name} (a whole decompression)", lambda: source.tail(65536))

    megabytes = len(text.encode()) / 1e6
    print(f"one chunk: {megabytes:.1f} MB, {lines.len():,} lines; CPU ms, best of {args.reps}")
    print(f"code: {_root()}")
    for name, ms in figures:
        print(f"  {name:66} {'n/a' if ms is None else f'{ms:8.1f}':>8}")


if __name__ == "__main__":
    main()
