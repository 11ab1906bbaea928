"""Windows across midnight and DST changes, and independence from the machine clock and zone."""

import os
import subprocess
import sys
from datetime import datetime

import pytest

from evidence.claims import read_claims


def windows(text, reported_at, tz, lang=None):
    result = read_claims(text, datetime.fromisoformat(reported_at), tz, lang=lang)
    return {(c.kind.value, c.polarity.value): (c.window.to_dict() if c.window else None)
            for c in result.claims}


def test_yesterday_on_the_spring_dst_day_is_23_hours():
    got = windows("Ieri il server si è riavviato", "2026-03-30T10:00:00+02:00", "Europe/Rome")
    assert got[("reboot", "asserted")] == {"start": "2026-03-29T00:00:00+01:00",
                                           "end": "2026-03-30T00:00:00+02:00"}


def test_yesterday_on_the_autumn_dst_day_is_25_hours():
    got = windows("Gestern ist Outlook abgestürzt", "2026-10-26T10:00:00+01:00", "Europe/Berlin")
    assert got[("crash", "asserted")] == {"start": "2026-10-25T00:00:00+02:00",
                                          "end": "2026-10-26T00:00:00+01:00"}


def test_hours_ago_count_elapsed_time_across_the_spring_change():
    # 04:30 CEST is 02:30 UTC; three hours earlier is 23:30 UTC, 00:30 CET.
    got = windows("It crashed three hours ago", "2026-03-29T04:30:00+02:00", "Europe/Rome")
    assert got[("crash", "asserted")] == {"start": "2026-03-29T00:00:00+01:00",
                                          "end": "2026-03-29T01:00:00+01:00"}


def test_duration_in_hours_across_the_autumn_change():
    got = windows("Le serveur plante depuis 30 heures", "2026-10-26T10:00:00+01:00", "Europe/Paris")
    assert got[("onset", "asserted")] == {"start": "2026-10-25T03:30:00+01:00",
                                          "end": "2026-10-25T04:30:00+01:00"}


def test_clock_time_inside_the_spring_gap_lands_on_a_real_instant():
    got = windows("The server rebooted around 2:30 am", "2026-03-29T10:00:00+02:00", "Europe/Rome")
    # 02:30 does not exist that night; it is read as 01:30 UTC (03:30 CEST), +-1 h.
    assert got[("reboot", "asserted")] == {"start": "2026-03-29T01:30:00+01:00",
                                           "end": "2026-03-29T04:30:00+02:00"}


@pytest.mark.parametrize("text,lang", [
    ("Outlook crashed yesterday evening", "en"),
    ("Ieri sera Outlook si è bloccato", "it"),
    ("Ayer por la tarde se colgó Outlook", "es"),
    ("Gestern Abend ist Outlook abgestürzt", "de"),
    ("Hier soir Outlook a planté", "fr"),
])
def test_yesterday_evening_said_after_midnight_is_the_evening_before(text, lang):
    got = windows(text, "2026-11-23T00:30:00+01:00", "Europe/Rome", lang)
    window = got[("crash", "asserted")]
    assert window["start"].startswith("2026-11-22T")
    assert window["end"].startswith("2026-11-22T")


def test_around_eleven_said_after_midnight_spans_midnight():
    got = windows("The site went down around 11pm", "2026-11-23T00:30:00+01:00", "Europe/Rome")
    assert got[("outage", "asserted")] == {"start": "2026-11-22T22:00:00+01:00",
                                           "end": "2026-11-23T00:00:00+01:00"}


def test_an_hour_ago_said_after_midnight_reaches_back_into_yesterday():
    got = windows("The VPN dropped an hour ago", "2026-11-23T00:30:00+01:00", "Europe/Rome")
    assert got[("outage", "asserted")]["start"] == "2026-11-22T23:00:00+01:00"


def test_weekday_named_on_that_weekday_is_last_weeks():
    got = windows("Slow since Monday", "2026-11-23T10:00:00+01:00", "Europe/Rome")
    assert got[("onset", "asserted")]["start"] == "2026-11-16T00:00:00+01:00"


def test_result_does_not_depend_on_machine_zone():
    code = ("from datetime import datetime; from evidence.claims import read_claims; import json;"
            "r = read_claims('Slow since Monday, it crashed around 11pm and two days ago',"
            " datetime.fromisoformat('2026-11-25T00:30:00+01:00'), 'Europe/Rome');"
            "print(json.dumps(r.to_dict()))")
    outputs = set()
    for zone in ("UTC", "Pacific/Kiritimati", "America/Los_Angeles"):
        env = {**os.environ, "TZ": zone}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1
