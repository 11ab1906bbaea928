"""Holidays, ranges, recurring phrases, vague durations and days of the month: the edges."""

from datetime import datetime

import pytest

from evidence.claims import read_claims


def claims(text, reported_at, tz="Europe/Rome", lang=None):
    return [c.to_dict() for c in read_claims(text, datetime.fromisoformat(reported_at), tz, lang=lang).claims]


def window(claim):
    return claim["window"]["start"], claim["window"]["end"]


def test_recurring_is_shown_only_when_said():
    crash, = claims("Outlook crashes every morning", "2026-11-25T15:00:00+01:00")
    assert crash["recurring"] is True and crash["precision"] == "vague"
    once, = claims("Outlook crashed this morning", "2026-11-25T15:00:00+01:00")
    assert "recurring" not in once


def test_every_morning_said_before_the_morning_ends_at_the_report():
    crash, = claims("Outlook crashes every morning", "2026-11-25T09:00:00+01:00")
    assert window(crash) == ("2026-11-19T06:00:00+01:00", "2026-11-25T09:00:00+01:00")


def test_holiday_said_on_the_day_is_today_and_the_day_before_is_last_year():
    on_the_day, = claims("Il server si è bloccato a Natale", "2026-12-25T10:00:00+01:00", lang="it")
    assert window(on_the_day) == ("2026-12-25T00:00:00+01:00", "2026-12-26T00:00:00+01:00")
    before, = claims("Il server si è bloccato a Natale", "2026-12-24T23:59:00+01:00", lang="it")
    assert window(before)[0] == "2025-12-25T00:00:00+01:00"


def test_range_opening_weekday_moves_before_the_closing_one():
    # said on a Tuesday: Friday to Monday is last Friday to yesterday
    outage, = claims("The shop was down from Friday to Monday", "2026-11-24T10:00:00+01:00")
    assert window(outage) == ("2026-11-20T00:00:00+01:00", "2026-11-24T00:00:00+01:00")


def test_range_of_days_of_the_month_crosses_into_the_previous_month():
    outage, = claims("Il sito non funzionava dal 28 al 2", "2026-11-05T10:00:00+01:00", lang="it")
    assert window(outage) == ("2026-10-28T00:00:00+01:00", "2026-11-03T00:00:00+01:00")


@pytest.mark.parametrize("text,lang,start", [
    ("Il sito non funzionava dal 18 al 20", "it", "2026-11-18T00:00:00+01:00"),
    ("Il sito non funzionava dalle 18 alle 20", "it", "2026-11-24T18:00:00+01:00"),
    ("Le site était en panne du 18 au 20", "fr", "2026-11-18T00:00:00+01:00"),
    ("Le site était en panne de 18h à 20h", "fr", "2026-11-24T18:00:00+01:00"),
])
def test_days_and_hours_are_told_apart(text, lang, start):
    outage, = claims(text, "2026-11-25T15:00:00+01:00", lang=lang)
    assert window(outage)[0] == start


@pytest.mark.parametrize("text,lang", [
    ("Lo intenté de 2 a 3 veces y se colgó", "es"),
    ("It crashed between 2 and 3 times", "en"),
    ("The 3 of us saw it crash", "en"),
    ("It crashes on the 2nd try", "en"),
    ("Il PC è un po' lento", "it"),
    ("Every time I open Outlook it crashes", "en"),
])
def test_counts_and_plain_words_are_no_time(text, lang):
    assert all(c["window"] is None for c in claims(text, "2026-11-25T15:00:00+01:00", lang=lang))


def test_a_while_ago_is_a_point_and_for_a_while_an_onset():
    crash, = claims("Outlook crashed a while ago", "2026-11-25T15:00:00+01:00")
    assert window(crash) == ("2026-11-11T15:00:00+01:00", "2026-11-24T15:00:00+01:00")
    kinds = {c["kind"]: c for c in claims("Outlook has been crashing for a while", "2026-11-25T15:00:00+01:00")}
    assert kinds["crash"]["window"] is None and window(kinds["onset"])[1] == "2026-11-24T15:00:00+01:00"


@pytest.mark.parametrize("text,lang,subject", [
    ("I can't log in as admin", "en", "admin"),
    ("I can't log in as fast as before", "en", None),
    ("I can't log into my Microsoft account", "en", None),
    ("The Outlook account is locked", "en", None),
    ("The deploy user is locked out", "en", "deploy"),
    ("Je n'arrive pas à me connecter en tant qu'admin", "fr", "admin"),
    ("Ich kann mich als admin nicht anmelden", "de", "admin"),
])
def test_login_subject_is_an_account_name_not_a_brand_or_comparison(text, lang, subject):
    logins = [c for c in claims(text, "2026-11-25T15:00:00+01:00", lang=lang) if c["kind"] == "login"]
    assert [(c["polarity"], c["subject"]) for c in logins] == [("asserted", subject)]


def test_connecting_to_an_account_is_a_login_not_an_outage():
    for text, lang in [("Elle n'arrive plus à se connecter à son compte", "fr"),
                       ("I can't connect to my account", "en"),
                       ("Non riesco a collegarmi al mio account", "it")]:
        assert [c["kind"] for c in claims(text, "2026-11-25T15:00:00+01:00", lang=lang)] == ["login"], text
