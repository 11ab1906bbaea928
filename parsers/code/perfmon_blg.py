"""Windows PerfMon binary logs (.blg): recognised and reported as unsupported, with how to convert."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from parsers.base import ParseContext, Source

CONVERT_HINT = "convert it on Windows with `relog FILE.blg -f csv -o FILE.csv` and add the CSV to the case"


class PerfmonBlgParser:
    """No public description of the .blg layout was found that suffices to decode samples
    reliably, so the file is claimed (to say what it is) and yields no events."""

    name = "perfmon_blg"

    def sniff(self, source: Source, head: bytes) -> float:
        if not source.stem_name().lower().endswith(".blg"):
            return 0.0
        # binary, not a CSV/TSV export someone named .blg
        return 0.5 if b"\x00" in head[:512] else 0.0

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        ctx.warn(f"{ctx.source_file}: binary PerfMon log (.blg) is not supported; {CONVERT_HINT}")
        return iter(())
