"""A heart rate at threshold all the way, at a pace slower than easy running, is set aside; what
the evidence says of it depends on whose easy pace it was judged against. Against the athlete's
own, it is a sensor's misreading. Against the population's (no run history), it may as well be a
slower runner's race: two half marathons of 2:13-2:14 of the blind batches (tests/data/
blind-2026-12u and blind-2026-12v), raced at a median of 172-184 bpm, were called "a sensor
reading, not effort"."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from analysis.classify import classify
from analysis.profile import default_profile
from analysis.voice import Voice
from tests.support import recordings
from tests.support.voices import voice

DATA = Path(__file__).resolve().parents[1] / "data"
#: A half marathon in 2:14:21 at 6:18/km, a median heart rate of 172 (Polar, 2003).
HALF = DATA / "blind-2026-12v" / "pr-outdoor_half_marathon.fit"


def test_without_a_history_a_threshold_heart_rate_at_a_slow_pace_may_be_a_race() -> None:
    result = classify(recordings.activity(HALF))
    assert "heart rate set aside: a race or a sensor error: 172 bpm" in result.evidence
    assert "your run history will tell" in result.evidence
    assert "not effort" not in result.evidence


def test_against_the_athletes_own_easy_pace_it_is_a_sensor_reading() -> None:
    own = replace(default_profile(), pace_source="history", runs_seen=20)
    result = classify(recordings.activity(HALF), own)
    assert "a median heart rate of 172 bpm at an easy pace is a sensor reading, not effort" in (
        result.evidence)


@pytest.mark.parametrize("language", ["de", "es", "fr"])
def test_every_language_says_it_may_be_a_race(language: str) -> None:
    v: Voice = voice(language)
    english = classify(recordings.activity(HALF)).evidence
    translated = classify(recordings.activity(HALF), voice=v).evidence
    assert "172" in translated and translated != english
    assert v.gettext("a race or a sensor error: {bpm} bpm at a pace slower than most runners' "
                     "easy runs; your run history will tell").format(bpm=172) in translated
