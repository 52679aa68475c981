"""The evidence of one classification in every language: the same workout, the same facts,
other words (analysis.engine.evidence_in)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest

from analysis import engine
from analysis.classify import classify
from analysis.model import Activity, Classification, Workout
from analysis.profile import AthleteProfile, default_profile
from analysis.synthetic import generate
from analysis.voice import Voice
from tests.support.real import RECORDINGS, recording
from tests.support.voices import numbers, voice
from worker.i18n import LANGUAGES

START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def every_language() -> list[Voice]:
    return [voice(language) for language in LANGUAGES]


def synthetic(workout: Workout, with_streams: bool) -> Activity:
    rng = np.random.default_rng(sorted(Workout).index(workout) + 100 * with_streams)
    return generate(workout, rng, START, with_streams=with_streams)


#: A generated session of each workout, with streams and from its summary alone, by name.
GENERATED = {f"{w.value}{'' if s else ' (summary)'}": (w, s)
             for w in Workout for s in (True, False)}
#: Every fourth real recording of the development set.
CASES = [*GENERATED, *RECORDINGS[::4]]


def case(name: str) -> Activity:
    """The session a case names, made or read when its test runs (not while collecting)."""
    return synthetic(*GENERATED[name]) if name in GENERATED else recording(name)


@pytest.mark.parametrize("name", CASES)
def test_each_languages_evidence_is_the_same_classification_in_its_words(name: str) -> None:
    activity = case(name)
    profile = default_profile()
    analysis = engine.analyse(activity, profile, 1, voice("en"), every_language())
    assert set(analysis.evidence) == set(LANGUAGES), name
    assert analysis.evidence["en"] == analysis.classification.evidence
    for language in LANGUAGES:
        alone = classify(activity, profile, voice=voice(language))
        assert alone.workout == analysis.classification.workout, (name, language)
        assert analysis.evidence[language] == alone.evidence, (name, language)
        # The same facts: every figure of the English evidence, and no other.
        assert numbers(analysis.evidence[language]) == numbers(analysis.classification.evidence), \
            (name, language, analysis.evidence[language])


def test_other_languages_are_in_other_words() -> None:
    activity = synthetic(Workout.INTERVALS, True)
    analysis = engine.analyse(activity, default_profile(), 1, voice("de"), every_language())
    assert analysis.language == "de"
    assert analysis.evidence["de"] == analysis.classification.evidence
    assert len(set(analysis.evidence.values())) == len(LANGUAGES), analysis.evidence


def test_the_athletes_units_and_figures_hold_in_every_language() -> None:
    """The other languages' voices lend their words; miles and hidden heart rates stay."""
    activity = synthetic(Workout.TEMPO, True)
    athlete = voice("fr", units="imperial", numbers=False)
    analysis = engine.analyse(activity, default_profile(), 1, athlete, every_language())
    for language, text in analysis.evidence.items():
        assert text == classify(activity, default_profile(), voice=replace(
            voice(language), units="imperial", numbers=False)).evidence, language
        assert "/mi" in text and "/km" not in text, (language, text)


def test_without_other_languages_only_the_athletes_own_is_written() -> None:
    activity = synthetic(Workout.EASY, False)
    analysis = engine.analyse(activity, default_profile(), 1, voice("es"))
    assert analysis.evidence == {"es": analysis.classification.evidence}


def test_a_language_that_came_to_another_workout_is_left_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Should the rules ever read another workout in one language, its words are not stored
    as the evidence of this one."""
    real = classify

    def swayed(activity: Activity, profile: AthleteProfile | None = None, *,
               voice: Voice) -> Classification:
        found = real(activity, profile, voice=voice)
        return replace(found, workout=Workout.RACE) if voice.language == "de" else found

    monkeypatch.setattr(engine, "classify", swayed)
    analysis = engine.analyse(synthetic(Workout.EASY, True), default_profile(), 1,
                              voice("en"), every_language())
    assert analysis.classification.workout is not Workout.RACE
    assert set(analysis.evidence) == set(LANGUAGES) - {"de"}
