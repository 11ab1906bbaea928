"""Binary sysstat data files (/var/log/sa/saNN) -> metric_sample events, through the local `sadf`."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import polars as pl

from parsers.base import ParseContext, Source
from parsers.code.sadf import SadfRows

# sysstat's file magic (0xd596, little-endian) opens every sa file, of every version.
SA_MAGIC = b"\x96\xd5"
SADF_TIMEOUT_S = 300


class SysstatSaParser:
    name = "sysstat_sa"

    def sniff(self, source: Source, head: bytes) -> float:
        if not head.startswith(SA_MAGIC) or len(head) < 64:
            return 0.0
        return 0.9 if source.stem_name().startswith(("sa", "data")) or source.name.endswith(".sa") else 0.6

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        sadf = shutil.which("sadf")
        if sadf is None:
            ctx.warn(f"{ctx.source_file}: binary sysstat file; install sysstat to read binary sa files "
                     "(or send `sadf -d FILE -- -A` output)")
            return
        path = source.materialize(ctx.workdir)
        try:
            done = subprocess.run([sadf, "-d", str(path), "--", "-A"], capture_output=True,
                                  timeout=SADF_TIMEOUT_S, check=False, env={"LC_ALL": "C", "TZ": "UTC"})
        except (OSError, subprocess.TimeoutExpired) as err:
            ctx.warn(f"{ctx.source_file}: sadf failed ({err})")
            return
        if done.returncode != 0:
            why = " ".join(done.stderr.decode("utf-8", errors="replace").split())[:300]
            ctx.warn(f"{ctx.source_file}: sadf cannot read this file: {why}")
            return
        rows = SadfRows(ctx, binary=True)
        rows.feed(done.stdout.decode("utf-8", errors="replace").split("\n"))
        yield from rows.frames(self.name)
