"""The timeline file written while a case parses, as long as one input in time order is all it holds."""

from __future__ import annotations

import shutil
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from parsers.schema import DICTIONARY_COLUMNS


class DirectTimeline:
    """Most cases that reach `caseline parse` with a big file hold one log in time order; its
    merged timeline is then that log's frames in the order they come. Writing them straight
    into the output saves writing part files and merging them again. The first frame that
    breaks the assumption (another input with events, a step back in time) turns what was
    written into an ordinary part file, and the merge takes over."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.partial = target.with_name(f".{target.name}.partial")
        self.active = True
        self.owner: int | None = None
        self.last: datetime | None = None
        self._writer: pq.ParquetWriter | None = None
        self.owner_summary = None  # the owner's InputSummary, to hand it the file if demoted
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="write-timeline")
        self._pending: deque = deque()

    def accepts(self, index: int, frame: pl.DataFrame) -> bool:
        if not self.active or self.owner not in (None, index):
            return False
        stamps = frame["timestamp"]
        return stamps.is_sorted() and (self.last is None or stamps.min() >= self.last)

    def write(self, index: int, frame: pl.DataFrame, summary=None) -> None:
        """Append a frame of input `index` (summary: its InputSummary, handed the file if the
        direct path is given up later)."""
        # Arrow string views share polars' buffers: no copy of the text columns
        table = frame.to_arrow(compat_level=pl.CompatLevel.newest())
        self.owner_summary = summary
        if self._writer is None:
            # zstd level 1, with dictionaries and statistics only where values repeat or
            # order matters: a third of the CPU of the defaults and a smaller file (measured
            # on the parse benchmark's output)
            repeated = [c for c in DICTIONARY_COLUMNS if c in table.column_names]
            self._writer = pq.ParquetWriter(
                self.partial, table.schema, compression="zstd", compression_level=1,
                use_dictionary=repeated, write_statistics=["timestamp", "source_line", *repeated])
        self.owner = index
        self.last = frame["timestamp"].max()
        self._pending.append(self._pool.submit(self._writer.write_table, table))
        while len(self._pending) > 2:  # bound the frames held in memory
            self._pending.popleft().result()

    def _flush(self) -> None:
        while self._pending:
            self._pending.popleft().result()
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def demote(self, parts_dir: Path) -> Path | None:
        """Stop writing directly; what was written becomes a part file of its input."""
        self.active = False
        had = self._writer is not None
        self._flush()
        if not had:
            return None
        part = parts_dir / f"{self.owner:05d}-direct.parquet"
        shutil.move(self.partial, part)
        return part

    def forget(self, index: int) -> None:
        """The owner is being read again from the start: drop what it wrote."""
        if self.owner == index:
            self._flush()
            self.partial.unlink(missing_ok=True)
            self.owner, self.last, self.owner_summary = None, None, None

    def finish(self) -> bool:
        """Close; True when the target now holds the whole timeline."""
        self._flush()
        self._pool.shutdown()
        if self.active and self.owner is not None:
            self.partial.replace(self.target)
            return True
        self.partial.unlink(missing_ok=True)
        return False

    def abandon(self) -> None:
        self._flush()
        self._pool.shutdown()
        self.partial.unlink(missing_ok=True)
