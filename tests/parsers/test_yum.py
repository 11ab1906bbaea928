"""yum: year-less yum.log transactions, across New Year."""

from datetime import datetime, timezone

from tests.parsers.parse_helpers import SAMPLES, line
from tests.parsers.text_formats import parse, parser_for

PARSER = parser_for("yum")


def test_synthetic_yum_log_rolls_over_new_year():
    reference = datetime(2026, 1, 3, 12, 0, tzinfo=timezone.utc)
    events, ctx = parse(PARSER, SAMPLES / "yum" / "yum.log", tz="UTC", reference=reference)
    assert (events.height, ctx.unparsed_count) == (5, 1) and ctx.unparsed[0].line == 5
    assert line(events, 1)["timestamp"] == datetime(2025, 12, 30, 23, 58, 10, tzinfo=timezone.utc)
    assert line(events, 4)["timestamp"] == datetime(2026, 1, 1, 0, 0, 5, tzinfo=timezone.utc)  # "Jan  1"
    assert [line(events, n)["action"] for n in (1, 3, 4, 6)] == [
        "package_install", "package_upgrade", "package_remove", "log_line"]
    assert line(events, 3)["outcome"] == "success"
    assert events["timestamp_quality"].unique().to_list() == ["year_inferred+tz_assumed"]
