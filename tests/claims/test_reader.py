"""Claims from statements: several per statement, denials, onsets that date a symptom."""

import re
from datetime import datetime

import pytest

from evidence.claims import ClaimsInputError, Kind, Polarity, read_claims
from evidence.claims.lexicon import compose

AT = datetime.fromisoformat("2026-11-25T15:00:00+01:00")


def test_statement_from_the_issue_gives_three_claims():
    result = read_claims("Slow since Monday and I never clicked anything", AT, "Europe/Rome")
    by_kind = {c.kind: c for c in result.claims}
    assert set(by_kind) == {Kind.SLOWNESS, Kind.ONSET, Kind.POPUP}
    assert by_kind[Kind.POPUP].polarity is Polarity.DENIED
    assert by_kind[Kind.ONSET].dates == by_kind[Kind.SLOWNESS].id
    assert by_kind[Kind.ONSET].text == "since Monday"
    assert by_kind[Kind.POPUP].text == "I never clicked anything"
    assert by_kind[Kind.ONSET].window.to_dict() == {"start": "2026-11-23T00:00:00+01:00",
                                                    "end": "2026-11-25T15:00:00+01:00"}


def test_to_dict_has_exactly_the_contract_fields():
    claim = read_claims("It started two days ago", AT, "Europe/Rome").claims[0]
    assert set(claim.to_dict()) == {"id", "text", "kind", "polarity", "window", "precision",
                                    "dates", "lang", "subject"}
    assert claim.to_dict()["subject"] is None


def test_ids_follow_id_start():
    result = read_claims("Slow since Monday", AT, "Europe/Rome", id_start=7)
    assert [c.id for c in result.claims] == ["c7", "c8"]


def test_onset_said_in_another_sentence_dates_the_symptom():
    result = read_claims("It all started two days ago. Now the PC is slow.", AT, "Europe/Rome")
    onset = next(c for c in result.claims if c.kind is Kind.ONSET)
    slow = next(c for c in result.claims if c.kind is Kind.SLOWNESS)
    assert onset.dates == slow.id


def test_failure_said_with_a_negation_is_asserted():
    kinds = {(c.kind, c.polarity) for c in
             read_claims("I can't log in and the site doesn't load", AT, "Europe/Rome").claims}
    assert kinds == {(Kind.LOGIN, Polarity.ASSERTED), (Kind.OUTAGE, Polarity.ASSERTED)}


def test_denied_symptom_with_since_is_bounded_not_an_onset():
    result = read_claims("Non ho installato niente da lunedì", AT, "Europe/Rome")
    assert [(c.kind, c.polarity) for c in result.claims] == [(Kind.CHANGE, Polarity.DENIED)]
    assert result.claims[0].window.start.isoformat() == "2026-11-23T00:00:00+01:00"


def test_free_text_words_are_not_dates():
    # Plain dateparser.search_dates reads "we" and "Je" as dates.
    assert read_claims("we think it is slow", AT, "Europe/Rome").claims[0].window is None
    assert read_claims("Je trouve que c'est lent", AT, "Europe/Paris").claims[0].window is None


def test_text_without_claims_gives_empty_list_and_note():
    result = read_claims("Hello, thanks for your help", AT, "Europe/Rome")
    assert result.claims == []
    assert result.notes == ["not understood: Hello, thanks for your help"]


@pytest.mark.parametrize("text,tz,lang,message", [
    ("", "Europe/Rome", None, "empty"),
    ("   ", "Europe/Rome", None, "empty"),
    ("slow", "Mars/Olympus", None, "unknown time zone"),
    ("slow", "Europe/Rome", "xx", "unsupported language"),
])
def test_bad_input_raises_one_line_error(text, tz, lang, message):
    with pytest.raises(ClaimsInputError, match=message) as info:
        read_claims(text, AT, tz, lang=lang)
    assert "\n" not in str(info.value)


def test_symptom_grammar_names_known_word_lists():
    assert re.fullmatch(compose("{inability} {gap} {reach}", {"inability": ["can't"], "reach": ["reach*"]}, "t"),
                        "can't even reach")
    with pytest.raises(ValueError, match="unknown word list"):
        compose("{inability} {nope}", {"inability": ["can't"]}, "lang/xx.toml [grammar.outage]")


def test_outage_said_around_a_time_phrase_reads_whole():
    claims = read_claims("Die Seite lädt seit gestern nicht", AT, "Europe/Berlin", lang="de").claims
    assert {(c.kind, c.polarity) for c in claims} == {(Kind.OUTAGE, Polarity.ASSERTED), (Kind.ONSET, Polarity.ASSERTED)}


def test_each_known_program_named_gets_its_own_claim():
    claims = read_claims("Outlook crashes and Excel freezes", AT, "Europe/Rome").claims
    assert [(c.kind, c.subject, c.text) for c in claims] == [
        (Kind.CRASH, "outlook", "Outlook crashes"), (Kind.CRASH, "excel", "Excel freezes")]
    assert claims[0].to_dict()["subject"] == "outlook"


def test_machine_or_pronoun_is_no_subject_and_words_in_between_are_skipped():
    for text in ("The PC keeps crashing", "It keeps crashing", "Il computer si blocca"):
        assert [c.subject for c in read_claims(text, AT, "Europe/Rome").claims] == [None], text
    # a time phrase between the name and its verb, a subject after the verb (German inversion)
    assert read_claims("Outlook si è bloccato ieri sera", AT, "Europe/Rome", lang="it").claims[0].subject == "outlook"
    claims = read_claims("Seit gestern stürzt Outlook ständig ab", AT, "Europe/Berlin", lang="de").claims
    assert {c.kind: c.subject for c in claims} == {Kind.CRASH: "outlook", Kind.ONSET: None}


def test_names_in_other_words_come_back_as_the_subject_the_checks_know():
    said = {"es": "El servidor de correo se cae", "it": "Il server di posta non funziona",
            "fr": "Le serveur de messagerie est en panne", "de": "Der Mailserver ist nicht erreichbar",
            "en": "I can't connect to the mail server"}
    for lang, text in said.items():
        assert [c.subject for c in read_claims(text, AT, "Europe/Rome", lang=lang).claims] == ["mail server"]


def test_a_count_of_tries_is_a_login_claim_with_attempts_shown_only_when_said():
    result = read_claims("I got locked out of my account this morning, I only typed my password once.",
                         AT, "Europe/Rome")
    locked, counted = result.claims
    assert (locked.kind, counted.kind) == (Kind.LOGIN, Kind.LOGIN)
    assert "attempts" not in locked.to_dict() and counted.to_dict()["attempts"] == 1
    # the count is about this morning's lockout: it takes its window, and dates nothing
    assert counted.window == locked.window and counted.text == "I only typed my password once"


def test_a_count_said_apart_is_a_login_claim_only_when_a_login_is_spoken_of():
    counted = read_claims("I got locked out. I only tried once.", AT, "Europe/Rome").claims
    assert [c.to_dict().get("attempts") for c in counted] == [None, 1]
    alone = read_claims("The PC is slow. I only tried once.", AT, "Europe/Rome")
    assert [c.kind for c in alone.claims] == [Kind.SLOWNESS]


def test_restrictive_ne_que_is_no_denial():
    claims = read_claims("Je n'ai tapé mon mot de passe qu'une fois", AT, "Europe/Paris", lang="fr").claims
    assert [(c.kind, c.polarity, c.attempts) for c in claims] == [(Kind.LOGIN, Polarity.ASSERTED, 1)]


@pytest.mark.parametrize(("lang", "text", "restart"), [
    ("en", "The laptop rebooted by itself this morning", "unplanned"),
    ("it", "Il server si è riavviato da solo stanotte", "unplanned"),
    ("es", "El servidor se reinició solo anoche", "unplanned"),
    ("de", "Der Server ist heute Nacht von selbst neu gestartet", "unplanned"),
    ("fr", "Le serveur a redémarré tout seul cette nuit", "unplanned"),
    ("en", "The server was restarted last night without notice", None),
    ("fr", "Le serveur a été redémarré cette nuit sans prévenir", None),
])
def test_a_restart_said_to_happen_by_itself_is_marked_unplanned(lang, text, restart):
    read = read_claims(text, datetime.fromisoformat("2026-11-26T08:30:00+00:00"), "Europe/London", lang)
    reboot = [c.to_dict() for c in read.claims if c.kind is Kind.REBOOT]
    assert len(reboot) == 1 and reboot[0]["polarity"] == "asserted"
    assert reboot[0].get("restart") == restart


@pytest.mark.parametrize(("text", "lang"), [
    ("Someone logged in remotely last night.", "en"),
    ("Qualcuno è entrato da remoto stanotte.", "it"),
    ("Alguien entró en mi PC de forma remota anoche.", "es"),
    ("Jemand hat sich heute Nacht aus der Ferne angemeldet.", "de"),
    ("Quelqu'un s'est connecté à distance cette nuit.", "fr"),
])
def test_a_login_said_to_come_from_afar_is_marked_remote(text, lang):
    login = next(c for c in read_claims(text, AT, "Europe/Rome", lang).claims if c.kind is Kind.LOGIN)
    assert str(login.sense) == "access"
    assert login.remote and login.to_dict()["remote"] is True


def test_a_login_said_without_a_place_is_not_remote():
    login = read_claims("Someone logged in last night.", AT, "Europe/Rome", "en").claims[0]
    assert not login.remote and "remote" not in login.to_dict()


@pytest.mark.parametrize(("text", "lang"), [
    ("The database keeps crashing.", "en"), ("The DB keeps crashing.", "en"),
    ("Il database si blocca continuamente.", "it"), ("Die Datenbank stürzt ständig ab.", "de"),
    ("La base de données plante sans arrêt.", "fr"), ("La base de datos se cuelga.", "es"),
])
def test_the_database_said_in_any_language_is_one_subject(text, lang):
    assert [c.subject for c in read_claims(text, AT, "Europe/Rome", lang).claims] == ["database"]


@pytest.mark.parametrize(("text", "lang", "every"), [
    ("The PC crashes every morning", "en", "morning"),
    ("Every Monday the site is down", "en", "monday"),
    ("Il PC si blocca ogni mattina", "it", "morning"),
    ("Le PC plante tous les soirs", "fr", "evening"),
])
def test_a_recurring_claim_says_what_recurs(text, lang, every):
    claims = read_claims(text, reported_at=datetime.fromisoformat("2026-11-25T15:00:00+00:00"),
                         tz="Europe/London", lang=lang)
    said = [c.to_dict() for c in claims.claims if c.kind is not Kind.ONSET]
    assert said and all(c["recurring"] is True and c["every"] == every for c in said)
