"""A small Python API for notebooks: a case to its merged timeline, as polars or pandas."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from evidence.case import open_case
from evidence.ingest import ingest


def load_timeline(case_path: str | Path, tz: str = "UTC", reported_at: datetime | None = None,
                  as_pandas: bool = False):
    """Every event of the case in timeline order (event schema, UTC). Years of year-less logs
    are taken relative to reported_at, or to each file's modification time."""
    with tempfile.TemporaryDirectory(prefix="caseline-") as tmp:
        case = open_case(Path(case_path), Path(tmp))
        frame = ingest(case, Path(tmp), tz, reported_at).collect()
    return frame.to_pandas() if as_pandas else frame


__all__ = ["load_timeline"]
