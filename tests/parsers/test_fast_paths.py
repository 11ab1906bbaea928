"""The line engine's fast paths give what the plain ones give: grouped rules, ASCII class
spellings, timestamps cleaned only on failure, RFC 3164 times read from bytes, a whole
chunk moved by whole years."""

import json
import random
import re
from datetime import datetime, timezone

import polars as pl
import pytest

from parsers import rules
from parsers import timestamps as ts
from parsers.registry import all_parsers
from parsers.spec import ascii_classes
from tests.parsers.parse_helpers import CORPUS, run

# What JSON escapes in a string, as a regex: the oracle the byte scan is checked against.
NEEDS_ESCAPE = r'["\\\x00-\x1f]'

COLUMNS = ("process", "message", "user", "src_ip", "event_code", "host", "severity",
           "url", "category", "action", "outcome")


def _rule_sample_frame(spec, repeat: int) -> pl.DataFrame:
    """The spec's rule samples, each repeated, plus one variant of each per repeat whose
    message differs (a counter at the end), so both repeated and unique rows are present."""
    rows = []
    for copy in range(repeat):
        for sample in spec.rule_samples:
            rows.append({c: sample.fields.get(c) for c in COLUMNS})
            if copy % 3 == 0 and sample.fields.get("message"):
                varied = dict(rows[-1])
                varied["message"] = f"{varied['message']} {copy}"
                rows.append(varied)
    return pl.DataFrame(rows, schema={c: pl.String for c in COLUMNS})


def test_grouped_rules_give_the_same_frame_as_row_by_row(monkeypatch):
    spec = all_parsers()["syslog"].spec
    frame = _rule_sample_frame(spec, repeat=200)
    assert frame.height > 2 * rules._GROUP_SAMPLE
    seen = []
    original = rules._distinct

    def spy(frame, keys):
        distinct, inverse = original(frame, keys)
        seen.append(inverse is not None)
        return distinct, inverse

    monkeypatch.setattr(rules, "_distinct", spy)
    grouped = rules.apply_rules(frame, spec.rules)
    assert seen == [True], "the repeated frame was not grouped"
    monkeypatch.setattr(rules, "_GROUP_SHARE", -1.0)  # never group
    seen.clear()
    plain = rules.apply_rules(frame, spec.rules)
    assert seen == [False]
    assert grouped.equals(plain)
    # and the rules did something: the samples' actions are set
    assert grouped["action"].drop_nulls().n_unique() > 5


@pytest.mark.parametrize("fmt, path", [
    ("syslog", "syslog/Linux_2k.log"), ("syslog", "auth/OpenSSH_2k.log"), ("syslog", "mac/Mac_2k.log"),
    ("auditd", "auditd/audit-rhel7.log"), ("journald", "journald/journal_ubuntu1804_boot.json"),
])
def test_real_logs_parse_the_same_grouped_or_not(fmt, path, monkeypatch):
    """Real logs, grouped (a small sample size makes 2,000 lines enough) and row by row."""
    source = CORPUS / path
    if not source.exists():
        pytest.skip(f"{source} not in the corpus")
    parser = all_parsers()[fmt]
    monkeypatch.setattr(rules, "_GROUP_SAMPLE", 64)
    monkeypatch.setattr(rules, "_GROUP_SHARE", 2.0)  # always group
    grouped, _ = run(parser, source)
    monkeypatch.setattr(rules, "_GROUP_SHARE", -1.0)  # never group
    plain, _ = run(parser, source)
    assert grouped.height > 0
    assert grouped.equals(plain)


@pytest.mark.parametrize("fmt, path", [
    ("syslog", "syslog/Linux_2k.log"), ("syslog", "auth/OpenSSH_2k.log"), ("syslog", "mac/Mac_2k.log"),
])
def test_real_logs_parse_the_same_with_or_without_family_unions(fmt, path, monkeypatch):
    """A family's union pass only narrows the rows each rule tests: the same events whether
    every family uses it (a sample of 8 rows decides) or none does."""
    source = CORPUS / path
    if not source.exists():
        pytest.skip(f"{source} not in the corpus")
    parser = all_parsers()[fmt]
    monkeypatch.setattr(rules, "_FAMILY_SAMPLE", 8)
    used = []
    real_any_of = rules._any_of
    monkeypatch.setattr(rules, "_any_of", lambda *a: used.append(real_any_of(*a)) or used[-1])
    monkeypatch.setattr(rules, "_FAMILY_PAYS", 0.0)  # always
    union, _ = run(parser, source)
    assert used and all(rows is not None for rows in used)
    used.clear()
    monkeypatch.setattr(rules, "_FAMILY_PAYS", float("inf"))  # never, where a sample is taken
    plain, _ = run(parser, source)
    assert any(rows is None for rows in used)
    assert union.height > 0 and union.equals(plain)


def test_grouping_is_skipped_when_rows_are_mostly_distinct():
    frame = pl.DataFrame({"process": ["sshd"] * 9000,
                          "message": [f"Accepted password for u{i} from 10.0.0.1 port 22 ssh2" for i in range(9000)]})
    distinct, inverse = rules._distinct(frame, ["process", "message"])
    assert inverse is None and distinct is frame


def test_ascii_classes_spells_digits_and_spaces_as_ascii():
    assert ascii_classes(r"\d+\s\S+") == r"[0-9]+[\t\n\x0B\x0C\r\x20][^\t\n\x0B\x0C\r\x20]+"
    # inside a class only the positive forms are rewritten; \\d is an escaped backslash
    assert ascii_classes(r"[^\s\[\]:]+ [\d.]+ \\d") == r"[^\t\n\x0B\x0C\r\x20\[\]:]+ [0-9.]+ \\d"
    assert ascii_classes(r"[]\s] [^]\d]") == r"[]\t\n\x0B\x0C\r\x20] [^]0-9]"
    assert ascii_classes(r"\w+ \D") == r"\w+ [^0-9]"


@pytest.mark.parametrize("text", ["pid 123", "pid ١٢٣", "a\u00a0b", "a\tb", "a b", "ünï cödé 7"])
def test_python_and_polars_agree_on_the_rewritten_classes(text):
    for pattern in (r"(?x) \d+ ", r"(?x) a\sb", r"(?x) ^ \S+ \s \S+ $", r"(?x) [^\s]+ \  [\d]"):
        rewritten = ascii_classes(pattern)
        python = re.search(rewritten, text) is not None
        polars = pl.Series([text]).str.contains(rewritten)[0]
        assert python == polars, (pattern, text)
    # Arabic-Indic digits and no-break spaces are not log separators or numbers any more
    assert re.search(ascii_classes(r"\d"), "١٢٣") is None
    assert re.search(ascii_classes(r"a\sb"), "a\u00a0b") is None


@pytest.mark.parametrize("fmt", ["syslog", "syslog_iso", "syslog_rfc5424", "apache_access", "dpkg", "nginx_error"])
def test_parse_series_equals_parsing_cleaned_text(fmt):
    """Parsing as-is first and cleaning only failures gives what cleaning everything gave."""
    spec = all_parsers()[fmt].spec.timestamp
    infer = spec.year == "infer"
    samples = {
        "syslog": ["Jan  1 00:00:01", " Jan 1 00:00:01", "Jan 1 00:00:01 ", "Jan\t1 00:00:01",
                   "Feb 29 12:00:00", "Jan 1  00:00:01", "Jan 1 00:00:01\r", "bogus", "", "  "],
        "syslog_iso": ["2026-03-01T10:00:00.123456+01:00", " 2026-03-01T10:00:00+01:00 ",
                       "2026-03-01T10:00:00Z", "2026-03-01T10:00:00 UTC", "2026-03-01  10:00:00+01:00"],
        "syslog_rfc5424": ["2026-03-01T10:00:00.003Z", "2026-03-01T10:00:00+05:30 ", "-"],
        "apache_access": ["10/Oct/2026:13:55:36 -0700", " 10/Oct/2026:13:55:36  -0700"],
        "dpkg": ["2026-03-01 10:00:00", "2026-03-01  10:00:00", "\t2026-03-01 10:00:00"],
        "nginx_error": ["2026/03/01 10:00:00", "2026/03/01   10:00:00 "],
    }[fmt]
    strings = pl.Series("t", samples + [None], dtype=pl.String)
    got = ts.parse_series(strings, spec, "Europe/Rome", prefix_year=infer)
    cleaned = pl.lit(strings)
    if spec.zone == "offset":
        want = pl.select(ts.parse_with_offset(cleaned, spec.formats)).to_series()
    else:
        want = pl.select(ts.parse_naive(cleaned, spec.formats, prefix_year=infer)).to_series()
        if not infer:
            zone = "UTC" if spec.zone == "utc" else "Europe/Rome"
            want = pl.DataFrame({"t": want}).select(ts.localize(pl.col("t"), zone)).to_series()
    assert got.to_list() == want.to_list()
    assert got.null_count() < len(samples)  # most of them are times


def _syslog_time_variants(count: int, seed: int) -> list[str | None]:
    """RFC 3164 times and near misses: every month in three cases, padded and unpadded days,
    impossible dates and times, a leap second, wrong separators, non-ASCII, other lengths."""
    rnd = random.Random(seed)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    noise = ["", " ", "0", "9", ":", "\t", "é", "\u00a0", "x", "Z", "-"]
    out: list[str | None] = []
    for _ in range(count):
        month = rnd.choice(months + ["Xyz", "Ja1", "J n", "Sept", "January"])
        month = rnd.choice([month, month.upper(), month.lower()])
        day = rnd.randint(0, 32)
        day_text = rnd.choice([f"{day:2d}", f"{day:02d}", str(day)])
        clock = [rnd.choice([rnd.randint(0, 25), rnd.randint(0, 9)]), rnd.randint(0, 61), rnd.randint(0, 61)]
        text = f"{month} {day_text} {clock[0]:02d}:{clock[1]:02d}:{clock[2]:02d}"
        if rnd.random() < 0.3:  # one character replaced, inserted or dropped
            at = rnd.randrange(len(text))
            text = text[:at] + rnd.choice(noise) + text[at + rnd.choice([0, 1]):]
        out.append(None if rnd.random() < 0.02 else text)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_syslog_times_from_bytes_equal_strptime(seed):
    """The byte reading of "Mmm dd HH:MM:SS" gives strptime's answer on every row it claims,
    and parse_series (it, then strptime for the rest) gives strptime's answer on every row."""
    spec = all_parsers()["syslog"].spec.timestamp
    assert spec.formats[0] == ts.SYSLOG_FORMAT and spec.year == "infer"
    strings = pl.Series("t", _syslog_time_variants(20_000, seed), dtype=pl.String)
    fast, done = ts.syslog_stamps(strings)
    plain = pl.select(ts.parse_naive(pl.lit(strings), spec.formats, prefix_year=True, clean=False)).to_series()
    assert fast.filter(done).to_list() == plain.filter(done).to_list()
    assert done.sum() > 5_000 and fast.filter(done).null_count() > 500  # both kinds were claimed
    want = pl.select(ts.parse_naive(pl.lit(strings), spec.formats, prefix_year=True)).to_series()
    assert ts.parse_series(strings, spec, "UTC", prefix_year=True).to_list() == want.to_list()
    # a chunk whose strings all have the layout (read as one matrix) and one that is sliced
    same = strings.filter(strings.str.len_bytes() == 15)
    for part in (same, same.slice(7, 3000)):
        fast, done = ts.syslog_stamps(part)
        plain = pl.select(ts.parse_naive(pl.lit(part), spec.formats, prefix_year=True, clean=False)).to_series()
        assert fast.filter(done).to_list() == plain.filter(done).to_list()


def _rule(name, when, settings):
    from parsers.spec import Rule
    when = {c: ascii_classes(s) for c, s in when.items()}
    return Rule(name, {c: re.compile(s, re.VERBOSE) for c, s in when.items()}, when, settings, "test")


@pytest.mark.parametrize("group", [False, True])
def test_captures_from_two_conditions_make_one_json_object(group, monkeypatch):
    monkeypatch.setattr(rules, "_GROUP_SAMPLE", 2)
    monkeypatch.setattr(rules, "_GROUP_SHARE", 2.0 if group else -1.0)
    rule = _rule("two", {"process": r"^(?P<daemon> \w+? ) d? $", "message": r"^port(?: \ (?P<port> \d+ ))?"},
                 {"action": "service_start"})
    frame = pl.DataFrame({"process": ["sshd", "sshd", "cron", "other"],
                          "message": ["port 22", "port", "port 7", "nothing"],
                          "action": [None] * 4}, schema={c: pl.String for c in ("process", "message", "action")})
    out = rules.apply_rules(frame, (rule,))
    assert out["action"].to_list() == ["service_start"] * 3 + [None]
    extras = [None if e is None else json.loads("{" + e + "}") for e in out["_rule_extra"]]
    assert extras == [{"daemon": "ssh", "port": "22"}, {"daemon": "ssh"}, {"daemon": "cron", "port": "7"}, None]


@pytest.mark.parametrize("anchor, days, rolls", [
    (2026, ["01-05", "02-28", "03-01", "12-31"], [0, 0, 0, 0]),   # one year, no Feb 29
    (2024, ["02-28", "02-29", "03-01"], [0, 0, 0]),               # leap year with Feb 29
    (2025, ["02-27", "02-29", "03-02"], [0, 0, 0]),               # Feb 29 in a year without one
    (2025, ["12-30", "12-31", "01-01", "02-29"], [0, 0, 1, 1]),   # New Year inside the chunk
    (2026, ["06-01", None, "06-02"], [0, 0, 0]),                  # an unparsed line
])
def test_years_for_equals_apply_years(anchor, days, rolls):
    naive = [None if d is None else datetime.strptime(f"2000-{d} 13:14:15", "%Y-%m-%d %H:%M:%S") for d in days]
    frame = pl.DataFrame({"_naive": pl.Series(naive, dtype=pl.Datetime("us")),
                          "_roll": pl.Series(rolls, dtype=pl.Int32)})
    try:
        plain = frame.select(ts.apply_years(pl.col("_naive"), pl.col("_roll"), anchor)).to_series()
    except pl.exceptions.ComputeError:
        # Feb 29 in a year without one (the year anchor never picks such a year): the fast
        # path must not quietly move it to Feb 28
        with pytest.raises(pl.exceptions.ComputeError):
            frame.select(ts.years_for(frame, anchor))
        return
    fast = frame.select(ts.years_for(frame, anchor)).to_series()
    assert fast.to_list() == plain.to_list()
    assert fast.drop_nulls().dt.year().to_list()[0] == anchor


def test_needs_escape_rows_matches_a_regex_per_row():
    values = ['plain', 'a "quote"', 'back\\slash', 'tab\there', None, '', 'é ü 日本', 'bell\x07',
              'x' * 40 + '"', 'nothing here either', 'ctl\x1f']
    series = pl.Series("m", values, dtype=pl.String)
    expected = series.str.contains(NEEDS_ESCAPE).fill_null(False).to_list()
    assert rules.needs_escape_rows(series).tolist() == expected
    # a slice of a longer column (non-zero Arrow offset) and a column of several chunks
    assert rules.needs_escape_rows(series.slice(3, 6)).tolist() == expected[3:9]
    chunked = pl.concat([series.slice(0, 4), series.slice(4)], rechunk=False)
    assert rules.needs_escape_rows(chunked).tolist() == expected
    assert not rules.needs_escape_rows(pl.Series("m", ["a", "b"])).any()


def test_needs_escape_rows_reads_every_arrow_text_layout(monkeypatch):
    """polars hands over large_string today; string and string_view must give the same."""
    import pyarrow as pa
    values = ["plain", 'a "q"', None, "ctl\x01", "long enough to leave the inline view" * 2]
    expected = [False, True, False, True, False]
    for kind in (pa.string(), pa.large_string(), pa.string_view()):
        arrow = pa.array(values, type=kind)
        monkeypatch.setattr(pl.Series, "to_arrow", lambda self, *a, _arrow=arrow, **k: _arrow)
        assert rules.needs_escape_rows(pl.Series("m", values)).tolist() == expected, kind


def _hostile_syslog(path, count: int = 9000) -> None:
    """Syslog lines that try the fast paths: quotes, backslashes, control characters, NUL,
    no-break spaces and other scripts in names, long lines, cut lines, invalid UTF-8 bytes."""
    import random
    rnd = random.Random(11)
    users = ["alice", 'ev"il', "back\\slash", "tab\tuser", "ünï", "日本", "x\x01y", "a\u00a0b"]
    out = []
    for _ in range(count):
        ts = f"Nov {rnd.randint(1, 28):2d} {rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:{rnd.randint(0, 59):02d}"
        user = rnd.choice(users)
        message = rnd.choice([
            f"Failed password for {user} from 203.0.113.{rnd.randint(1, 254)} port {rnd.randint(1, 65535)} ssh2",
            f"Accepted publickey for {user} from 198.51.100.7 port 22 ssh2",
            f"   {user} : TTY=pts/0 ; PWD=/home/{user} ; USER=root ; COMMAND=/bin/echo \"hi\\there\"",
            f"Started Session {rnd.randint(1, 9)} of user {user}.",
            "nul \x00 and unit separator \x1f and line separator \u2028",
            "x" * rnd.randint(0, 3000)])
        program = rnd.choice(["sshd", "sudo", "systemd", "app"])
        line = f"{ts}{rnd.choice([' ', '  ', chr(9)])}web-01 {program}[{rnd.randint(1, 9999)}]: {message}"
        out.append(line[: rnd.randint(0, len(line))] if rnd.random() < 0.02 else line)
    data = bytearray("\n".join(out).encode() + b"\n")
    for _ in range(100):
        k = rnd.randint(0, len(data) - 2)
        if data[k] != 0x0A:
            data[k] = rnd.choice([0xFF, 0xC3, 0x80])
    path.write_bytes(bytes(data))


def test_hostile_lines_parse_the_same_grouped_or_not_with_valid_json(tmp_path, monkeypatch):
    path = tmp_path / "syslog"
    _hostile_syslog(path)
    parser = all_parsers()["syslog"]
    monkeypatch.setattr(rules, "_GROUP_SHARE", 2.0)  # always group
    reference = datetime(2026, 11, 30, tzinfo=timezone.utc)
    grouped, ctx = run(parser, path, reference=reference)
    monkeypatch.setattr(rules, "_GROUP_SHARE", -1.0)  # never group
    plain, _ = run(parser, path, reference=reference)
    assert grouped.equals(plain)
    assert grouped.height + ctx.unparsed_count == ctx.units == 9000
    extras = grouped["extra"].drop_nulls().to_list()
    assert len(extras) > 1000 and all(isinstance(json.loads(e), dict) for e in extras)
    sudo = grouped.filter(pl.col("action") == "privilege_use")
    assert sudo.height and json.loads(sudo["extra"][0])["command"] == '/bin/echo "hi\\there"'


@pytest.mark.parametrize("cheap_limit", [5000, 0])
def test_rows_tested_by_capturing_keep_each_conditions_groups(cheap_limit, monkeypatch):
    """Groups from two conditions of one rule: a top-level alternation's second branch gives
    its groups, a match with every group empty still counts, and a row the second condition
    refuses goes to the next rule with none of the first rule's groups (cheap_limit 0: the
    process too is tested row by row, not once per distinct value)."""
    monkeypatch.setattr(rules, "_CHEAP_LIMIT", cheap_limit)
    first = _rule("link", {"process": r"^(?P<daemon> kernel | netd )$",
                           "message": r"(?P<interface> eth\d ) \ up | ADDRCONF\ (?P<ready> \w+ ) \ ready | ^ quiet $"},
                  {"action": "link_up"})
    second = _rule("other", {"message": r"^(?P<word> \w+ )"}, {"action": "other"})
    frame = pl.DataFrame({"process": ["kernel", "kernel", "netd", "cron", "kernel"],
                          "message": ["eth0 up", "ADDRCONF wlan1 ready", "quiet", "eth1 up", "nothing"],
                          "action": [None] * 5}, schema={c: pl.String for c in ("process", "message", "action")})
    out = rules.apply_rules(frame, (first, second))
    assert out["action"].to_list() == ["link_up", "link_up", "link_up", "other", "other"]
    extras = [json.loads("{" + e + "}") for e in out["_rule_extra"]]
    assert extras == [{"daemon": "kernel", "interface": "eth0"}, {"daemon": "kernel", "ready": "wlan1"},
                      {"daemon": "netd"}, {"word": "eth1"}, {"word": "nothing"}]
