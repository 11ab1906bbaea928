"""The notebook API gives the same timeline as polars or pandas."""

from datetime import datetime, timezone

from evidence.api import load_timeline

LINES = "Nov 22 10:00:03 web-01 sshd[42]: Failed password for root from 203.0.113.9 port 22 ssh2\n"


def test_load_timeline_polars_and_pandas(tmp_path):
    (tmp_path / "auth.log").write_text(LINES * 3)
    reported = datetime(2026, 11, 23, tzinfo=timezone.utc)
    frame = load_timeline(tmp_path, "UTC", reported)
    assert frame.height == 3 and set(frame["action"]) == {"login_failed"}
    table = load_timeline(tmp_path, "UTC", reported, as_pandas=True)
    assert list(table["source_line"]) == [1, 2, 3]
    assert str(table["timestamp"].dt.tz) == "UTC"
