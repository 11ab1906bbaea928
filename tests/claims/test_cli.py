"""`caseline claims` through click: JSON on stdout, notes and one-line errors on stderr."""

import json

import pytest
from click.testing import CliRunner

from evidence.claims.cli import claims_command

ARGS = ["--reported-at", "2026-11-25T15:00:00+01:00", "--tz", "Europe/Rome"]


def invoke(*args):
    return CliRunner().invoke(claims_command, list(args))


def test_prints_claims_json():
    result = invoke("Slow since Monday and I never clicked anything", *ARGS)
    assert result.exit_code == 0
    claims = json.loads(result.stdout)["claims"]
    assert [c["kind"] for c in claims] == ["slowness", "onset", "popup"]
    assert claims[1]["window"] == {"start": "2026-11-23T00:00:00+01:00",
                                   "end": "2026-11-25T15:00:00+01:00"}


def test_lang_option_is_used():
    result = invoke("lento da lunedì", *ARGS, "--lang", "it")
    assert {c["lang"] for c in json.loads(result.stdout)["claims"]} == {"it"}


def test_no_claim_is_empty_list_with_note_and_exit_0():
    result = invoke("hello there", *ARGS)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"claims": []}
    assert "not understood" in result.stderr


@pytest.mark.parametrize("args,message", [
    (["slow", "--reported-at", "yesterday", "--tz", "Europe/Rome"], "cannot read --reported-at"),
    (["slow", "--reported-at", "2026-11-25T15:00:00", "--tz", "Nowhere/City"], "unknown time zone"),
    (["", *ARGS], "empty claim text"),
    (["slow", *ARGS, "--lang", "tlh"], "unsupported language"),
])
def test_bad_input_exits_2_with_one_line(args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
