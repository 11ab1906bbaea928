"""Claims files in TOML and JSON: free-text entries and structured entries."""

import json
from datetime import datetime

import pytest

from evidence.claims import ClaimsInputError, Kind, Polarity, load_claims_file

AT = datetime.fromisoformat("2026-11-25T15:00:00+01:00")


def test_json_list_of_text_and_structured_entries(tmp_path):
    path = tmp_path / "claims.json"
    path.write_text(json.dumps([
        "Slow since Monday",
        {"kind": "popup", "polarity": "denied"},
        {"kind": "outage", "start": "2026-11-24T22:00:00", "end": "2026-11-25T00:00:00+01:00"},
    ]))
    result = load_claims_file(path, AT, "Europe/Rome")
    assert [c.id for c in result.claims] == ["c1", "c2", "c3", "c4"]
    assert result.claims[1].dates == "c1"
    assert (result.claims[2].kind, result.claims[2].polarity) == (Kind.POPUP, Polarity.DENIED)
    assert result.claims[3].window.start.isoformat() == "2026-11-24T22:00:00+01:00"


def test_toml_claim_tables(tmp_path):
    path = tmp_path / "claims.toml"
    path.write_text('[[claim]]\ntext = "Il PC è lento da due giorni"\n\n'
                    '[[claim]]\nkind = "change"\npolarity = "denied"\n', encoding="utf-8")
    result = load_claims_file(path, AT, "Europe/Rome")
    assert [c.kind for c in result.claims] == [Kind.SLOWNESS, Kind.ONSET, Kind.CHANGE]
    assert result.claims[0].lang == "it"


@pytest.mark.parametrize("content,message", [
    ('{"claims": [{"kind": "weather"}]}', "weather"),
    ('[{"kind": "outage", "start": "2026-11-24T22:00:00"}]', "both start and end"),
    ("[1]", "expected a string or a table"),
    ("{not json", "not valid"),
])
def test_bad_files_raise_with_location(tmp_path, content, message):
    path = tmp_path / "claims.json"
    path.write_text(content)
    with pytest.raises(ClaimsInputError, match=message):
        load_claims_file(path, AT, "Europe/Rome")


def test_structured_entry_carries_its_subject(tmp_path):
    path = tmp_path / "claims.json"
    path.write_text(json.dumps([{"kind": "crash", "subject": " Outlook "}, {"kind": "crash"},
                                "Chrome keeps crashing"]))
    result = load_claims_file(path, AT, "Europe/Rome")
    assert [c.subject for c in result.claims] == ["outlook", None, "chrome"]
    path.write_text(json.dumps([{"kind": "crash", "subject": 3}]))
    with pytest.raises(ClaimsInputError, match="subject must be a string"):
        load_claims_file(path, AT, "Europe/Rome")


def test_structured_entry_carries_its_attempts(tmp_path):
    path = tmp_path / "claims.json"
    path.write_text(json.dumps([{"kind": "login", "attempts": 1}, {"kind": "login"}]))
    result = load_claims_file(path, AT, "Europe/Rome")
    assert [c.to_dict().get("attempts") for c in result.claims] == [1, None]
    path.write_text(json.dumps([{"kind": "login", "attempts": "once"}]))
    with pytest.raises(ClaimsInputError, match="attempts must be"):
        load_claims_file(path, AT, "Europe/Rome")


def test_login_entries_take_their_sense_from_the_entry_or_their_text(tmp_path):
    path = tmp_path / "claims.toml"
    path.write_text('[[claim]]\nkind = "login"\npolarity = "denied"\ntext = "Nadie entró en el servidor."\n'
                    'lang = "es"\n\n[[claim]]\nkind = "login"\nsense = "failure"\n\n'
                    '[[claim]]\nkind = "login"\n', encoding="utf-8")
    result = load_claims_file(path, AT, "Europe/Madrid")
    assert [c.to_dict().get("sense") for c in result.claims] == ["access", "failure", None]


def test_a_login_sense_outside_the_vocabulary_is_an_error(tmp_path):
    path = tmp_path / "claims.json"
    path.write_text('[{"kind": "login", "sense": "maybe"}]')
    with pytest.raises(ClaimsInputError, match="sense must be one of access, failure"):
        load_claims_file(path, AT, "Europe/Rome")


def test_login_entries_are_remote_when_the_entry_or_their_text_says_so(tmp_path):
    path = tmp_path / "claims.toml"
    path.write_text('[[claim]]\nkind = "login"\ntext = "Alguien entró de forma remota."\nlang = "es"\n\n'
                    '[[claim]]\nkind = "login"\nremote = true\n\n[[claim]]\nkind = "login"\n', encoding="utf-8")
    result = load_claims_file(path, AT, "Europe/Madrid")
    assert [c.to_dict().get("remote") for c in result.claims] == [True, True, None]
    path.write_text('[[claim]]\nkind = "login"\nremote = "yes"\n', encoding="utf-8")
    with pytest.raises(ClaimsInputError, match="remote must be"):
        load_claims_file(path, AT, "Europe/Madrid")
