"""Every format spec loads and passes its self-check: samples, patterns, rules, overlaps."""

import json
import textwrap
from pathlib import Path

import pytest

from parsers.registry import all_parsers, registry_problems
from parsers.selfcheck import check_overlaps, check_spec
from parsers.spec import SpecError, load_all_specs, load_spec

SPECS = load_all_specs()


@pytest.mark.parametrize("name", sorted(SPECS))
def test_spec_self_check(name):
    problems = check_spec(SPECS[name])
    assert not problems, "\n".join(map(str, problems))


def test_no_sample_claimed_by_two_formats():
    problems = check_overlaps(SPECS)
    assert not problems, "\n".join(map(str, problems))


def test_every_spec_has_a_parser():
    assert registry_problems() == ()
    assert set(all_parsers()) == set(SPECS)


def _write(tmp_path: Path, body: str, name: str = "demo") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(textwrap.dedent(body))
    return path


GOOD = '''
[format]
name = "demo"
category = "system"
[timestamp]
formats = ["%Y-%m-%d %H:%M:%S"]
zone = "utc"
[[pattern]]
name = "main"
regex = \'\'\'(?P<timestamp>\\d{4}-\\d\\d-\\d\\d\\ \\d\\d:\\d\\d:\\d\\d) \\s (?P<message>.*)\'\'\'
[[rule]]
name = "boom"
when = { message = \'\'\'^boom\'\'\' }
set = { action = "crash", severity = "error" }
[[sample]]
line = "2026-01-02 03:04:05 boom at the gate"
expect = { action = "crash", severity = "error", timestamp = "2026-01-02T03:04:05+00:00" }
'''


def test_a_sound_spec_has_no_problems(tmp_path):
    assert check_spec(load_spec(_write(tmp_path, GOOD))) == []


def test_unknown_key_is_rejected_with_its_location(tmp_path):
    path = _write(tmp_path, GOOD.replace('category = "system"', 'category = "system"\ncolour = "red"'))
    with pytest.raises(SpecError) as err:
        load_spec(path)
    assert "colour" in str(err.value) and "[format]" in str(err.value)


def test_rule_without_sample_is_reported(tmp_path):
    body = GOOD + '''
[[rule]]
name = "never"
when = { message = \'\'\'^never\'\'\' }
set = { action = "boot" }
'''
    problems = check_spec(load_spec(_write(tmp_path, body)))
    assert any("never" in str(p) and "hit by no sample" in str(p) for p in problems)


def test_sample_with_wrong_expectation_is_reported(tmp_path):
    body = GOOD.replace('expect = { action = "crash"', 'expect = { action = "boot"')
    problems = check_spec(load_spec(_write(tmp_path, body)))
    assert any("action = 'crash', expected 'boot'" in str(p) for p in problems)


def test_timestamp_group_must_be_consumed_whole(tmp_path):
    body = GOOD.replace('formats = ["%Y-%m-%d %H:%M:%S"]', 'formats = ["%Y-%m-%d %H:%M"]')
    problems = check_spec(load_spec(_write(tmp_path, body)))
    assert any("not consumed whole" in str(p) for p in problems)


def test_sample_matching_no_pattern_is_reported(tmp_path):
    body = GOOD.replace('line = "2026-01-02 03:04:05 boom at the gate"', 'line = "garbage"')
    problems = check_spec(load_spec(_write(tmp_path, body)))
    assert any("matches 0 patterns" in str(p) for p in problems)


@pytest.mark.parametrize("table, complaint", [
    ('nothing = "user"', "not a named group"),
    ('message = "Process Name"', "not a field name"),
    ('message = "message"', "another name"),
    ('message = "pid"', "only a text column"),
    ('message = "raw"', "only a text column"),
])
def test_hex_table_is_checked(tmp_path, table, complaint):
    with pytest.raises(SpecError, match=complaint) as err:
        load_spec(_write(tmp_path, GOOD + "[hex]\n" + table + "\n"))
    assert "[hex]" in str(err.value)


def test_hex_group_decodes_into_its_target(tmp_path):
    # the message of the sample line, hex-encoded, decoded into extra.text; the group keeps
    # what does not decode (odd length, not hex)
    body = GOOD.replace("(?P<message>.*)", "(?P<message>.*?) (?: \\ hex=(?P<blob>\\S+) )?")
    spec = load_spec(_write(tmp_path, body + '[hex]\nblob = "text"\n'))
    from parsers.engine import SpecParser
    from parsers.lines import split_lines
    from parsers.base import ParseContext
    lines = split_lines("2026-01-02 03:04:05 boom hex=626F6F6D2061740A74686520676174650A\n"
                        "2026-01-02 03:04:06 boom hex=ABC\n2026-01-02 03:04:07 boom hex=zz\n")
    frame, _, _ = SpecParser(spec)._transform(lines, 1, ParseContext("demo", "0" * 64))
    assert [json.loads(e) for e in frame["extra"]] == [
        {"text": "boom at\nthe gate\n"}, {"blob": "ABC"}, {"blob": "zz"}]
    assert check_spec(spec) == []


def test_bad_vocabulary_is_rejected(tmp_path):
    with pytest.raises(SpecError, match="severity 'loud'"):
        load_spec(_write(tmp_path, GOOD.replace('severity = "error"', 'severity = "loud"')))


def test_validate_refuses_an_action_that_is_not_a_snake_case_verb():
    import polars as pl
    from datetime import datetime, timezone
    from parsers.schema import SchemaError, conform, validate

    frame = conform(pl.DataFrame({
        "event_id": ["ab:1"], "timestamp": [datetime(2026, 1, 1, tzinfo=timezone.utc)],
        "timestamp_quality": ["exact"], "source_format": ["demo"], "source_file": ["f"],
        "category": ["system"], "action": ["Login Failed"], "outcome": ["failure"], "raw": ["x"],
    }))
    with pytest.raises(SchemaError, match="snake_case"):
        validate(frame)
