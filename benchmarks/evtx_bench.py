"""Benchmark: EVTX -> event rows throughput on >= 200 MB of corpus chunks (temp files, nothing committed).

Builds large EVTX files by concatenating the used 64 KiB chunks of every corpus file (chunks
are self-contained, so the result is a valid log of full chunks like a busy Security.evtx),
parses them with the evtx format into the full event schema and prints events/s and MB/s.

    python benchmarks/evtx_bench.py [--corpus DIR] [--mb 200] [--file-mb 20]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from parsers.base import ParseContext, Source
from parsers.code import evtx_chunks as layout
from parsers.code.evtx import EvtxParser

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "evtx"


def used_chunks(corpus: Path) -> tuple[bytes, list[bytes]]:
    header = b""
    chunks = []
    for path in sorted(corpus.rglob("*.evtx")):
        with open(path, "rb") as handle:
            head = handle.read(layout.HEADER_BLOCK)
            header = header or head
            for chunk in layout.iter_chunks(handle):
                if chunk.readable and chunk.available == layout.CHUNK_SIZE and chunk.records:
                    chunks.append(chunk.data)
    return header, chunks


def build_inputs(folder: Path, corpus: Path, total_mb: int, file_mb: int) -> list[Path]:
    header, chunks = used_chunks(corpus)
    per_file = max(1, file_mb * 1024 * 1024 // layout.CHUNK_SIZE)
    files, written, index = [], 0, 0
    while written < total_mb * 1024 * 1024:
        body = [chunks[(index + i) % len(chunks)] for i in range(per_file)]
        index += per_file
        path = folder / f"bench_{len(files):03d}.evtx"
        path.write_bytes(layout.stream_header(header, per_file) + b"".join(body))
        written += path.stat().st_size
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--file-mb", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = build_inputs(Path(tmp), args.corpus, args.mb, args.file_mb)
        size = sum(p.stat().st_size for p in files)
        events = units = 0
        start, cpu_start = time.perf_counter(), time.process_time()
        for path in files:
            ctx = ParseContext(source_file=path.name, sha256="0" * 64, workdir=Path(tmp))
            for frame in EvtxParser().parse(Source(path, path.name), ctx):
                events += frame.height
            units += ctx.units
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
    print(f"evtx: {len(files)} files, {size / 1e6:.1f} MB, {units} records, {events} events "
          f"in {elapsed:.2f} s = {events / elapsed:,.0f} events/s, {size / 1e6 / elapsed:.1f} MB/s "
          f"(CPU {cpu:.2f} s over all threads; on a busy machine wall time overstates the cost)")


if __name__ == "__main__":
    main()
