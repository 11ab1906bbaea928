"""Benchmark: `caseline parse` on a generated ~1 GB mixed syslog/auth.log file, next to wc -l
and a plain polars read of the same file. Run by hand: python benchmarks/parse_bench.py [--mb N].

The parse runs as `python -m evidence` in a child that inherits the environment, so

    _RJEM_MALLOC_CONF= python benchmarks/parse_bench.py        # polars' default allocator setting
    CASELINE_WORKERS=3 python benchmarks/parse_bench.py         # three chunk workers
    git worktree add /tmp/old COMMIT && PYTHONPATH=/tmp/old python benchmarks/parse_bench.py

measure the same file another way (the last: an earlier commit's code)."""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATES = (
    "{ts} web-01 sshd[{pid}]: Failed password for invalid user {user} from 203.0.113.{n} port {port} ssh2",
    "{ts} web-01 sshd[{pid}]: Accepted publickey for {user} from 198.51.100.{n} port {port} ssh2: RSA SHA256:abc",
    "{ts} web-01 sshd[{pid}]: pam_unix(sshd:session): session opened for user {user} by (uid=0)",
    "{ts} web-01 CRON[{pid}]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)",
    "{ts} web-01 systemd[1]: Started Session {pid} of user {user}.",
    "{ts} web-01 kernel: [{port}.123456] e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex",
    "{ts} web-01 sudo[{pid}]:    {user} : TTY=pts/0 ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/apt update",
    "{ts} web-01 postfix/smtp[{pid}]: 4F1A2B3C: to=<{user}@example.com>, relay=mx.example.com[192.0.2.{n}]:25, delay=0.5, status=sent (250 ok)",
    "{ts} web-01 nginx[{pid}]: 192.0.2.{n} - - GET /index.html 200",
    "{ts} web-01 dhclient[{pid}]: DHCPACK of 192.0.2.{n} from 192.0.2.1",
)
# --content corpus: real syslog and auth.log lines (loghub samples in ../shared/corpus, read at
# run time, never copied into the project), given new times in order; the numbers in each
# line's pid and message are redrawn (same number of digits) in each of VARIANTS copies, so
# that repeats are about as rare as in a real log rather than exact copies
CORPUS_FILES = ("syslog/Linux_2k.log", "auth/OpenSSH_2k.log", "mac/Mac_2k.log")
VARIANTS = 64
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _write_lines(path: Path, megabytes: int, rnd: random.Random, line) -> int:
    """About `megabytes` of lines, line(ts) each, with RFC 3164 times that move forward by
    0-2 s a line; returns the line count."""
    target = megabytes * 1024 * 1024
    written = lines = second = 0
    with open(path, "w") as out:
        while written < target:
            block = []
            for _ in range(10000):
                second += rnd.randint(0, 2)
                day, rest = divmod(second, 86400)
                month = min(day // 28, 11)
                ts = f"{MONTHS[month]} {day % 28 + 1:2d} {rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}"
                block.append(line(ts))
            text = "\n".join(block) + "\n"
            out.write(text)
            written += len(text)
            lines += len(block)
    return lines


def generate(path: Path, megabytes: int) -> int:
    rnd = random.Random(7)
    users = ["alice", "bob", "carol", "dave", "root", "admin", "oracle", "test"]
    return _write_lines(path, megabytes, rnd, lambda ts: rnd.choice(TEMPLATES).format(
        ts=ts, pid=rnd.randint(100, 99999), user=rnd.choice(users),
        n=rnd.randint(1, 254), port=rnd.randint(1024, 65535)))


def _redraw_digits(text: str, rnd: random.Random) -> str:
    return re.sub(r"\d+", lambda m: "".join(rnd.choice("0123456789") for _ in m.group()), text)


def generate_from_corpus(path: Path, megabytes: int, corpus: Path) -> int:
    """Real lines with new, increasing times; each line's pid and message numbers redrawn."""
    rnd = random.Random(7)
    variants = []
    for name in CORPUS_FILES:
        for line in (corpus / name).read_text(errors="replace").splitlines():
            rest = line[15:]  # after "Mmm dd HH:MM:SS"
            head, colon, message = rest.partition(": ")
            for _ in range(VARIANTS):
                variants.append(re.sub(r"\[\d+\]", lambda m: f"[{rnd.randint(100, 99999)}]", head)
                                + colon + _redraw_digits(message, rnd))
    return _write_lines(path, megabytes, rnd, lambda ts: ts + rnd.choice(variants))


def timed(cmd: list[str]) -> tuple[float, float, float, float]:
    """Wall seconds, peak RSS (MB), CPU seconds (user + system) and system seconds of one child
    command (its own rusage, via wait4)."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=1024, help="size of the generated file in MB")
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the inputs in")
    parser.add_argument("--content", choices=("synthetic", "corpus"), default="synthetic",
                        help="synthetic: ten templates, every line an event rule's (the default); "
                             "corpus: real loghub syslog/auth.log lines from ../shared/corpus")
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="caseline-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "case" / ("syslog" if args.content == "synthetic" else "messages")
    log.parent.mkdir(exist_ok=True)
    for other in log.parent.iterdir():
        if other != log:  # the case holds one file: the other content's is moved aside
            other.rename(folder / other.name)
    if not log.exists() or log.stat().st_size < args.mb * 1024 * 1024:
        print(f"generating {args.mb} MB ({args.content}) ...", file=sys.stderr)
        if args.content == "synthetic":
            generate(log, args.mb)
        else:
            generate_from_corpus(log, args.mb, args.corpus)
    size_mb = log.stat().st_size / 1e6
    wc_s, _, _, _ = timed(["wc", "-l", str(log)])
    lines = int(subprocess.run(["wc", "-l", str(log)], capture_output=True, text=True).stdout.split()[0])
    polars_read = ("import polars as pl,sys; pl.read_csv(sys.argv[1], has_header=False, separator='\\x1f', "
                   "quote_char=None, new_columns=['line'], schema_overrides={'line': pl.String})")
    pl_s, pl_mb, pl_cpu, pl_sys = timed([sys.executable, "-c", polars_read, str(log)])
    out = folder / "timeline.parquet"
    cl_s, cl_mb, cl_cpu, cl_sys = timed([sys.executable, "-m", "evidence", "parse", str(log.parent), "-o", str(out),
                         "--tz", "UTC", "--reported-at", "2026-12-31T00:00:00+00:00"])
    print(f"input: {size_mb:,.0f} MB, {lines:,} lines")
    print(f"{'tool':28} {'seconds':>8} {'MB/s':>8} {'lines/s':>12} {'peak MB':>8} {'CPU s':>7} {'sys s':>6}")
    print(f"{'wc -l':28} {wc_s:8.2f} {size_mb / wc_s:8.0f} {lines / wc_s:12,.0f} {'-':>8} {'-':>7} {'-':>6}")
    print(f"{'polars read_csv (lines)':28} {pl_s:8.2f} {size_mb / pl_s:8.0f} {lines / pl_s:12,.0f} {pl_mb:8.0f} "
          f"{pl_cpu:7.1f} {pl_sys:6.1f}")
    print(f"{'caseline parse -> parquet':28} {cl_s:8.2f} {size_mb / cl_s:8.0f} {lines / cl_s:12,.0f} {cl_mb:8.0f} "
          f"{cl_cpu:7.1f} {cl_sys:6.1f}")
    if args.keep is None:
        for path in (log, out):
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
