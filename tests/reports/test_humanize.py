"""reports.humanize: durations and differences in the words the summary prints."""

import pytest

from reports.humanize import count_words, delta_words, humanize_duration


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 s"),
        (45, "45 s"),
        (-45, "45 s"),
        (60, "1 min"),
        (12 * 60 + 29, "12 min"),
        (3599, "1 h"),
        (3600, "1 h"),
        (2 * 3600 + 12 * 60, "2 h 12 min"),
        (-(2 * 3600 + 12 * 60), "2 h 12 min"),
        (11 * 3600 + 59 * 60, "11 h 59 min"),
        (12 * 3600, "12 hours"),
        (158400, "44 hours"),
        (164890, "about 46 hours"),
        (71 * 3600 + 1, "about 71 hours"),
        (3 * 86400, "3 days"),
        (3 * 86400 + 7200, "about 3 days"),
        (9.6 * 86400, "about 10 days"),
    ],
)
def test_humanize_duration(seconds, words):
    assert humanize_duration(seconds) == words


@pytest.mark.parametrize(
    ("delta", "within", "words"),
    [
        (164890, False, "about 46 hours later than stated"),
        (-7200, None, "2 h earlier than stated"),
        (-6869, False, "1 h 54 min earlier than stated"),
        (5400, True, "within the stated window"),
        (None, True, "within the stated window"),
        (30, None, "at the stated time"),
        (None, None, "not measured"),
        (3 * 86400, False, "3 days later than stated"),
    ],
)
def test_delta_words(delta, within, words):
    assert delta_words(delta, within_window=within) == words


def test_count_words_pluralizes_and_groups_thousands():
    assert count_words(1, "event") == "1 event"
    assert count_words(18230, "event") == "18,230 events"
