"""The line engine: chunking, line numbers, accounting, year inference and its restart."""

import json
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from parsers.base import ParseContext, RestartParse, Source, parse_all
from parsers.registry import all_parsers

SYSLOG = all_parsers()["syslog"]


def _ctx(name="syslog", reference=datetime(2026, 3, 1, tzinfo=timezone.utc), tz="UTC", **kw):
    return ParseContext(name, "ab" * 32, tz=tz, reference_time=reference, **kw)


def _file(tmp_path: Path, lines: list[str], name="syslog", newline="\n") -> Source:
    path = tmp_path / name
    path.write_bytes(newline.join(lines).encode() + newline.encode())
    return Source(path, name)


def _line(ts: str, n: int) -> str:
    return f"{ts} web-01 app[{n}]: event number {n}"


def test_small_chunks_keep_line_numbers_and_order(tmp_path):
    lines = [_line(f"Nov 22 10:{i // 60:02d}:{i % 60:02d}", i) for i in range(3000)]
    ctx = _ctx(reference=datetime(2026, 11, 23, tzinfo=timezone.utc), chunk_bytes=4096)
    events = pl.concat(parse_all(SYSLOG, _file(tmp_path, lines), ctx))
    assert events.height == 3000 and ctx.units == 3000 and ctx.unparsed_count == 0
    assert events["source_line"].to_list() == list(range(1, 3001))
    assert events.filter(pl.col("source_line") == 1234)["pid"].item() == 1233
    assert events["event_id"][0] == "abababab:1"


def test_every_line_is_an_event_or_unparsed_with_reason(tmp_path):
    lines = [_line("Nov 22 10:00:00", 1), "", "garbage here", "Nov 31 10:00:00 web-01 app[2]: bad date",
             _line("Nov 22 10:00:05", 3)]
    ctx = _ctx(reference=datetime(2026, 11, 23, tzinfo=timezone.utc))
    events = pl.concat(parse_all(SYSLOG, _file(tmp_path, lines, newline="\r\n"), ctx))
    assert events.height + ctx.unparsed_count == ctx.units == 5
    reasons = {u.line: u.reason for u in ctx.unparsed}
    assert reasons == {2: "empty line", 3: "matches no syslog pattern", 4: "timestamp not understood"}
    assert not events["raw"].str.ends_with("\r").any()


def test_new_year_rollover_across_chunks(tmp_path):
    lines = [_line("Dec 31 23:59:58", i) for i in range(200)] + [_line("Jan  1 00:00:01", i) for i in range(200)]
    ctx = _ctx(reference=datetime(2026, 1, 2, tzinfo=timezone.utc), chunk_bytes=2048)
    events = pl.concat(parse_all(SYSLOG, _file(tmp_path, lines), ctx))
    years = events.group_by(pl.col("timestamp").dt.year()).len().sort("timestamp")
    assert years.rows() == [(2025, 200), (2026, 200)]
    assert events["timestamp_quality"].unique().to_list() == ["year_inferred+tz_assumed"]
    assert any("year 2025-2026 inferred" in a for a in ctx.assumptions)


def test_feb_29_lands_in_a_leap_year(tmp_path):
    ctx = _ctx(reference=datetime(2025, 3, 1, tzinfo=timezone.utc))
    events = pl.concat(parse_all(SYSLOG, _file(tmp_path, [_line("Feb 29 12:00:00", 1)]), ctx))
    assert events["timestamp"][0] == datetime(2024, 2, 29, 12, 0, tzinfo=timezone.utc)


def test_file_spanning_more_than_a_year_is_read_again_with_the_right_years(tmp_path):
    # two New Years; the estimate from the first and last lines (Jun, Jan) sees only one
    months = ["Jun", "Sep", "Dec", "Mar", "Jun", "Sep", "Dec", "Jan"]
    lines = [_line(f"{m}  1 00:00:00", i) for i, m in enumerate(months)]
    source = _file(tmp_path, lines)
    ctx = _ctx(reference=datetime(2026, 1, 10, tzinfo=timezone.utc))
    with pytest.raises(RestartParse):
        list(SYSLOG.parse(source, ctx))
    ctx = _ctx(reference=datetime(2026, 1, 10, tzinfo=timezone.utc))
    events = pl.concat(parse_all(SYSLOG, source, ctx))
    assert events["timestamp"].dt.year().to_list() == [2024] * 3 + [2025] * 4 + [2026]
    assert ctx.units == 8 and ctx.unparsed_count == 0


def test_zone_assumption_across_dst(tmp_path):
    # Europe/Rome: 2026-03-29 02:30 does not exist, 2026-10-25 02:30 happens twice
    lines = [_line("Mar 29 01:30:00", 1), _line("Mar 29 02:30:00", 2), _line("Mar 29 03:30:00", 3),
             _line("Oct 25 02:30:00", 4)]
    ctx = _ctx(reference=datetime(2026, 11, 1, tzinfo=timezone.utc), tz="Europe/Rome")
    events = pl.concat(parse_all(SYSLOG, _file(tmp_path, lines), ctx))
    got = [t.strftime("%m-%d %H:%M") for t in events["timestamp"]]
    assert got == ["03-29 00:30", "03-29 01:30", "03-29 01:30", "10-25 00:30"]
    assert set(events["timestamp_quality"]) == {"year_inferred+tz_assumed"}
    assert any("read as Europe/Rome" in a for a in ctx.assumptions)


def test_utf16_file_with_bom_is_read(tmp_path):
    path = tmp_path / "syslog"
    path.write_bytes("\n".join([_line("Nov 22 10:00:00", 1), _line("Nov 22 10:00:01", 2)]).encode("utf-16"))
    ctx = _ctx(reference=datetime(2026, 11, 23, tzinfo=timezone.utc))
    events = pl.concat(parse_all(SYSLOG, Source(path, "syslog"), ctx))
    assert events.height == 2 and events["pid"].to_list() == [1, 2]


def test_long_forward_gap_stays_in_the_same_year(tmp_path):
    # seven months of silence is a gap, not a step back across New Year
    lines = [_line("Mar  3 10:00:00", 1), _line("Oct 20 10:00:00", 2)]
    ctx = _ctx(reference=datetime(2026, 11, 1, tzinfo=timezone.utc))
    events = pl.concat(parse_all(SYSLOG, _file(tmp_path, lines), ctx))
    assert events["timestamp"].dt.year().to_list() == [2026, 2026]


def test_line_slightly_out_of_order_across_new_year(tmp_path):
    lines = [_line("Dec 31 23:59:58", 1), _line("Jan  1 00:00:01", 2), _line("Dec 31 23:59:59", 3),
             _line("Jan  1 00:00:02", 4)]
    ctx = _ctx(reference=datetime(2026, 1, 2, tzinfo=timezone.utc))
    events = pl.concat(parse_all(SYSLOG, _file(tmp_path, lines), ctx))
    assert events["timestamp"].dt.year().to_list() == [2025, 2026, 2025, 2026]


def test_repeated_dst_hour_follows_file_order(tmp_path):
    # America/New_York falls back at 02:00 EDT on 2026-11-01: 01:00-01:59 happens twice
    lines = [_line("Nov  1 01:30:00", 1), _line("Nov  1 01:59:00", 2), _line("Nov  1 01:05:00", 3),
             _line("Nov  1 01:04:58", 4), _line("Nov  1 02:10:00", 5)]
    ctx = _ctx(reference=datetime(2026, 11, 2, tzinfo=timezone.utc), tz="America/New_York")
    events = pl.concat(parse_all(SYSLOG, _file(tmp_path, lines), ctx))
    got = [t.strftime("%H:%M:%S") for t in events["timestamp"]]
    # first pass EDT (UTC-4), second pass EST (UTC-5); a 2 s step back stays in its pass
    assert got == ["05:30:00", "05:59:00", "06:05:00", "06:04:58", "07:10:00"]


def _gz_across_new_year(tmp_path: Path, written: datetime) -> Source:
    """A rotated, compressed year-less log: 2,000 lines on Dec 31 (more than the head the
    estimate reads), then 200 on Jan 1; its modification time set to `written`."""
    import gzip
    import os
    lines = ([_line(f"Dec 31 23:{i // 60 % 60:02d}:{i % 60:02d}", i) for i in range(2000)]
             + [_line("Jan  1 00:00:01", i) for i in range(200)])
    path = tmp_path / "syslog.2.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    os.utime(path, (written.timestamp(), written.timestamp()))
    return Source(path, "syslog.2.gz", "gz")


def test_compressed_log_places_its_year_from_the_head_and_modification_time(tmp_path, monkeypatch):
    source = _gz_across_new_year(tmp_path, datetime(2026, 1, 1, 0, 5, tzinfo=timezone.utc))
    monkeypatch.setattr(Source, "tail", lambda *a, **k: pytest.fail("read a compressed file's tail"))
    ctx = _ctx(reference=datetime(2026, 1, 2, tzinfo=timezone.utc))
    events = pl.concat(list(SYSLOG.parse(source, ctx)))  # right first time: no RestartParse
    years = events.group_by(pl.col("timestamp").dt.year()).len().sort("timestamp")
    assert years.rows() == [(2025, 2000), (2026, 200)]


def test_compressed_log_with_a_misleading_modification_time_is_read_again(tmp_path):
    # touched long before its own lines: the estimate is wrong, the count at the end is not
    source = _gz_across_new_year(tmp_path, datetime(2025, 6, 1, tzinfo=timezone.utc))
    ctx = _ctx(reference=datetime(2026, 1, 2, tzinfo=timezone.utc))
    with pytest.raises(RestartParse):
        list(SYSLOG.parse(source, ctx))
    ctx = _ctx(reference=datetime(2026, 1, 2, tzinfo=timezone.utc))
    events = pl.concat(parse_all(SYSLOG, source, ctx))
    years = events.group_by(pl.col("timestamp").dt.year()).len().sort("timestamp")
    assert years.rows() == [(2025, 2000), (2026, 200)]


def test_compressed_log_collected_after_the_reference_time_is_right_first_time(tmp_path):
    # copied or collected a week after the customer's report: its modification time is
    # no clue to its last line, which the inference places before the reference time
    source = _gz_across_new_year(tmp_path, datetime(2026, 1, 9, tzinfo=timezone.utc))
    ctx = _ctx(reference=datetime(2026, 1, 2, tzinfo=timezone.utc))
    events = pl.concat(list(SYSLOG.parse(source, ctx)))  # no RestartParse
    years = events.group_by(pl.col("timestamp").dt.year()).len().sort("timestamp")
    assert years.rows() == [(2025, 2000), (2026, 200)]


def test_nul_padding_from_an_unclean_shutdown_is_skipped(tmp_path):
    """After a power loss a log holds a run of NUL bytes, and the first line of the next boot
    follows it on the same line: that line is read (here the boot), the accounting holds,
    and a warning names where the run starts."""
    before = [_line(f"Nov 22 10:00:0{n}", n) for n in range(3)]
    path = tmp_path / "syslog"
    path.write_bytes(("\n".join(before) + "\n").encode() + b"\x00" * 200_000
                     + b"Nov 22 10:05:01 web-01 kernel: [    0.000000] Linux version 6.1.0-13-amd64\n"
                     + b"Nov 22 10:05:02 web-01 app[9]: a NUL\x00inside a line stays\n")
    ctx = _ctx(reference=datetime(2026, 12, 1, tzinfo=timezone.utc))
    events = pl.concat(parse_all(SYSLOG, Source(path, "syslog", None), ctx))
    assert events.height == 5 and ctx.unparsed_count == 0 and ctx.units == 5
    boot = events.filter(pl.col("source_line") == 4).row(0, named=True)
    assert boot["action"] == "boot" and boot["raw"].startswith("Nov 22 10:05:01")
    assert events.filter(pl.col("source_line") == 5)["message"][0] == "a NUL\x00inside a line stays"
    assert any("NUL bytes at line 4," in w for w in ctx.warnings)


def test_split_lines_drops_only_leading_nuls():
    from parsers.lines import nul_padding_line, split_lines
    assert split_lines("\x00\x00a\nb\x00c\n\x00\n").to_list() == ["a", "b\x00c", ""]
    assert nul_padding_line("x\nb\x00c\n", 10) is None
    assert nul_padding_line("x\n\x00\x00y\n", 10) == 11
    assert nul_padding_line("\x00y\n", 10) == 10


def test_nul_runs_in_several_chunks_give_one_warning(tmp_path):
    block = "".join(_line(f"Nov 22 10:00:{n % 60:02d}", n) + "\n" for n in range(200))
    path = tmp_path / "syslog"
    path.write_text(block + "\x00" * 10 + block + "\x00" * 10 + block)
    ctx = _ctx(reference=datetime(2026, 12, 1, tzinfo=timezone.utc), chunk_bytes=4096)
    events = pl.concat(parse_all(SYSLOG, Source(path, "syslog", None), ctx))
    assert events.height == 600 and ctx.unparsed_count == 0
    nul = [w for w in ctx.warnings if "NUL" in w]
    assert len(nul) == 1 and "at line 201 (and in 1 later chunk(s))" in nul[0]


def test_rsyslog_repeat_wrapper_is_read_by_the_rules(tmp_path):
    """rsyslog writes a repeated message once more as "message repeated N times: [ ...]":
    the rules read the message inside (anchored ones too), extra.repeated holds the count,
    and the message stays as the log has it."""
    failed = "nginx.service: Failed with result 'exit-code'."
    auth = ("pam_unix(sudo:auth): authentication failure; logname=bob uid=1000 euid=0 "
            "tty=/dev/pts/0 ruser=bob rhost=  user=bob")
    path = tmp_path / "syslog"
    path.write_text(f"Nov 22 10:01:00 web-01 systemd[1]: {failed}\n"
                    f"Nov 22 10:01:30 web-01 systemd[1]: message repeated 2 times: [ {failed}]\n"
                    f"Nov 22 10:02:00 web-01 sudo[99]: message repeated 3 times: [ {auth}]\n"
                    "Nov 22 10:03:00 web-01 app[7]: message repeated 4 times: [ nothing a rule knows]\n")
    ctx = _ctx(reference=datetime(2026, 12, 1, tzinfo=timezone.utc))
    rows = pl.concat(parse_all(SYSLOG, Source(path, "syslog", None), ctx)).sort("source_line").to_dicts()
    assert [r["action"] for r in rows] == ["service_failed", "service_failed", "login_failed", "log_line"]
    assert [json.loads(r["extra"] or "{}").get("repeated") for r in rows] == [None, "2", "3", "4"]
    assert rows[2]["user"] == "bob"
    assert rows[1]["message"] == f"message repeated 2 times: [ {failed}]"


def test_unwrap_repeats_must_be_true_or_false(tmp_path):
    from parsers.spec import SpecError, load_spec
    text = (Path(SYSLOG.spec.path).read_text()
            .replace("unwrap_repeats = true", 'unwrap_repeats = "yes"'))
    path = tmp_path / "syslog.toml"
    path.write_text(text)
    with pytest.raises(SpecError, match="unwrap_repeats"):
        load_spec(path, rules_dir=Path(SYSLOG.spec.path).parent / "rules")


def test_relay_log_with_ipv6_sender_addresses_as_hosts(tmp_path):
    """A syslog relay writes each sender's address as the host: IPv6 ones (colons, a zone
    index) are hosts too, not the start of a program tag."""
    path = tmp_path / "syslog"
    path.write_text("Nov 22 10:00:01 2001:db8::5 sshd[42]: Failed password for root from 203.0.113.9 port 22 ssh2\n"
                    "Nov 22 10:00:02 192.0.2.7 sshd[43]: Accepted password for bob from 203.0.113.9 port 22 ssh2\n"
                    "Nov 22 10:00:03 fe80::1%eth0 cron[9]: (root) CMD (true)\n"
                    "Nov 22 10:00:04 ::1 app: started\n")
    ctx = _ctx(reference=datetime(2026, 12, 1, tzinfo=timezone.utc))
    events = pl.concat(parse_all(SYSLOG, Source(path, "syslog", None), ctx)).sort("source_line")
    assert ctx.unparsed_count == 0
    assert events["host"].to_list() == ["2001:db8::5", "192.0.2.7", "fe80::1%eth0", "::1"]
    assert events["process"].to_list() == ["sshd", "sshd", "cron", "app"]
    assert events["action"].to_list()[:2] == ["login_failed", "login"]
