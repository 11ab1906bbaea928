"""Every row of the statement table read into exactly the claims and windows it lists."""

from collections import Counter

import pytest

from evidence.claims import read_claims
from tests.claims.table import load_cases, mismatches

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.lang}:{c.text[:40]}" for c in CASES])
def test_statement_gives_expected_claims(case):
    result = read_claims(case.text, case.reported_at, case.tz, lang=case.lang)
    assert mismatches(case, [c.to_dict() for c in result.claims]) == []


@pytest.mark.parametrize("case", CASES, ids=[f"{c.lang}:{c.text[:40]}" for c in CASES])
def test_language_is_detected_without_lang(case):
    result = read_claims(case.text, case.reported_at, case.tz)
    assert {c.lang for c in result.claims} == {case.lang}


def test_table_covers_languages_kinds_and_shapes():
    assert len(CASES) >= 150
    per_lang = Counter(c.lang for c in CASES)
    assert set(per_lang) == {"en", "it", "es", "de", "fr"}
    assert min(per_lang.values()) >= 30
    per_kind = Counter(e.kind for c in CASES for e in c.expected)
    assert min(per_kind.values()) >= 10
    assert sum(1 for c in CASES for e in c.expected if e.polarity == "denied") >= 20
    midnight = [c for c in CASES if c.reported_at.hour == 0]
    dst = [c for c in CASES if c.reported_at.date().isoformat() in
           ("2026-03-29", "2026-03-30", "2026-10-26", "2026-03-09")]
    assert len(midnight) >= 10 and len(dst) >= 15
