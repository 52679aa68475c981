"""The easy days left after a race say how long ago it was in the plural form of that
number, in every language (issue 20: the French "1 jours")."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.feedback import _window
from analysis.model import SessionRecord, Workout
from analysis.recovery import EasyWindow
from tests.analysis.records import NOW
from tests.support.voices import voice

#: A day count of one with a plural noun after it, in each language.
ONE_PLURAL = {"en": None, "de": re.compile(r"\b1 Tag(?:e|en)\b"),
              "es": re.compile(r"\b1 días\b"), "fr": re.compile(r"\b1 jours\b")}
#: ... and the singular noun each language names one day with.
ONE_DAY = {"en": "1 d ago", "de": "vor 1 Tag", "es": "hace 1 día", "fr": "il y a 1 jour"}
RACE = SessionRecord(NOW, "Run", Workout.RACE, 21097.5, 5400.0, 300.0, True)


@pytest.mark.parametrize("language", sorted(ONE_DAY))
def test_a_race_yesterday_is_one_day_ago_in_the_singular(language: str) -> None:
    text = _window(voice(language), EasyWindow(RACE, days_ago=1, days=7))
    assert ONE_DAY[language] in text
    pattern = ONE_PLURAL[language]
    assert pattern is None or not pattern.search(text), text


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(sorted(ONE_DAY)), st.integers(1, 30), st.integers(1, 30))
def test_no_count_of_one_takes_a_plural_noun(language: str, ago: int, more: int) -> None:
    text = _window(voice(language), EasyWindow(RACE, days_ago=ago, days=ago + more))
    pattern = ONE_PLURAL[language]
    assert pattern is None or not pattern.search(text), text
