"""The athlete's voice: sections, private numbers, units and languages of the block and the
evidence, with the real catalogues."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest

from analysis import engine
from analysis.classify import classify
from analysis.feedback import heading, render_block
from analysis.model import Activity, Classification, Lap, SessionRecord, Workout
from analysis.parsers.fit import MULTISPORT as FIT_MULTISPORT
from analysis.parsers.fit import SPORTS as FIT_SPORTS
from analysis.parsers.sports import NAMES as FILE_SPORT_NAMES
from analysis.profile import default_profile
from analysis.training import Past, summarize
from analysis.units import format_distance
from analysis.voice import DEFAULT, SECTIONS, SPORT_NAMES, Voice
from tests.analysis.records import NOW, session
from tests.support import recordings
from tests.support.blocks import RUNPANDAS_WEEKS, block_for, logical_lines, varied_weeks
from tests.support.real import RECORDINGS, recording
from tests.support.voices import RATIO, figures, voice
from worker.i18n import LANGUAGES
from worker.preferences import Preferences
from worker.sandbox.sports import SPORT_TYPES

DATA = Path(__file__).resolve().parent.parent / "data"
HISTORY = DATA / "history" / "runpandas-athlete"


RACE_DAY = datetime(2021, 7, 4, 8, 0, tzinfo=UTC)


def _record(days: float, workout: Workout, km: float, minutes: float, load: float, hard: bool,
            hr: float) -> SessionRecord:
    return SessionRecord(RACE_DAY - timedelta(days=days), "Run", workout, km * 1000,
                         minutes * 60, load, hard, avg_hr=hr)


@cache
def race_recording() -> Activity:
    """A race the recording bears out: the runpandas athlete's 5.1 km of 2021-04-02, even
    (5:43-6:06/km) and run through without a stop. (The 8.2 km of 2021-07-04, the README's
    old example, stood still for 2:48 and is no race.)"""
    return recordings.activity(HISTORY / "5a37ceaf-18be-46ed-8a81-df908f8cbd3f.gpx.gz")


def race_record() -> SessionRecord:
    """The race as the engine records it, placed after the athlete's last eight weeks."""
    analysis = engine.analyse(race_recording(), default_profile())
    assert analysis.record.workout is Workout.RACE
    return replace(analysis.record, start=RACE_DAY)


def readme_race(v: Voice) -> list[str]:
    """A real race after the runpandas athlete's eight weeks, in ``v``: its evidence as the
    classifier writes it without the athlete's profile, its weeks as the engine recorded
    them."""
    history = [_record(*week) for week in RUNPANDAS_WEEKS]
    race = race_record()
    summary = summarize(race, Past(tuple(history), RACE_DAY - timedelta(days=365)),
                        RACE_DAY + timedelta(seconds=race_recording().elapsed_s))
    evidence = classify(race_recording(), default_profile(), voice=v).evidence
    return render_block(Classification(Workout.RACE, 0.5, evidence), race, summary,
                        v).split("\n")


def lines_of(block: list[str], *prefixes: str) -> list[str]:
    return [x for x in block if x.startswith(prefixes)]


#: The lines each section writes, by their English headings.
SECTION_HEADINGS = {
    "variety": ("Mix", "No ", "Muscles"), "recovery": ("Recovery:",), "load": ("Load",),
    "strength": ("Strength:",), "consistency": ("Consistency",), "progress": ("Progress",),
    "refuel": ("Refuel",),
}


def test_the_english_voice_of_a_new_athlete_writes_the_default_block() -> None:
    current = session(0, Workout.INTERVALS, hard=True)
    assert block_for(current, varied_weeks(), voice=voice()) == block_for(current,
                                                                          varied_weeks())
    assert readme_race(voice()) == readme_race(DEFAULT)


@pytest.mark.parametrize("section", SECTIONS)
def test_a_section_turned_off_leaves_out_its_lines_and_nothing_else(section: str) -> None:
    full = logical_lines(readme_race(DEFAULT))
    assert lines_of(full, *SECTION_HEADINGS[section]), "the example shows every section"
    without = logical_lines(readme_race(Voice(sections=frozenset(SECTIONS) - {section})))
    assert without == [x for x in full if not x.startswith(SECTION_HEADINGS[section])]


def test_with_every_section_off_the_headline_history_and_left_out_lines_remain() -> None:
    ride = session(0, km=22.1, minutes=47.6)
    quiet = Voice(sections=frozenset())
    lines = block_for(ride, [session(5)], voice=quiet)
    assert [heading(x) for x in lines[1:-1]] == ["Easy", "Left out as implausible"]
    lines = block_for(session(0), [session(2)], days=4, voice=quiet)
    assert [heading(x) for x in lines[1:-1]] == ["Easy", "History"]
    assert block_for(session(0), None, voice=quiet)[2] == (
        "History: not read yet, so no weekly figures")


def test_a_hidden_load_line_leaves_the_load_jump_behind_an_easy_step_on_the_recovery_line(
) -> None:
    history = [session(d, km=6, minutes=35, load=40) for d in range(27, 7, -3)]
    history += [session(d, km=12, minutes=70, load=150) for d in (6, 4, 2)]
    shown = logical_lines(block_for(session(0, km=12, minutes=70, load=150), history))
    ratio = RATIO.search(lines_of(shown, "Load")[0])
    assert ratio is not None and float(ratio.group()[:-1]) > 1.5
    assert lines_of(shown, "Recovery")[0].endswith("easy run or rest next")
    hidden = logical_lines(block_for(session(0, km=12, minutes=70, load=150), history,
                                voice=Voice(sections=frozenset(SECTIONS) - {"load"})))
    assert not lines_of(hidden, "Load")
    assert f"load {ratio.group()} the usual week" in lines_of(hidden, "Recovery")[0]
    private = logical_lines(block_for(session(0, km=12, minutes=70, load=150), history,
                                 voice=Voice(numbers=False,
                                             sections=frozenset(SECTIONS) - {"load"})))
    assert "load well above the usual week" in lines_of(private, "Recovery")[0]
    assert lines_of(private, "Recovery")[0].endswith("easy run or rest next")


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_private_numbers_leave_no_heart_rate_or_load_figure_in_the_block(language: str) -> None:
    shown = "\n".join(readme_race(voice(language)))
    assert figures(language, shown), "the public block shows heart rate and load figures"
    private = readme_race(voice(language, numbers=False))
    assert figures(language, "\n".join(private)) == []
    # words replace figures
    assert len(logical_lines(private)) >= len(logical_lines(readme_race(voice(language)))) - 1


def test_private_numbers_say_in_words_what_the_figures_showed() -> None:
    lines = logical_lines(readme_race(Voice(numbers=False)))
    # 5:58/km once its GPS jumps (11 m) count the pace run around them
    assert lines[1] == (
        "Race: 5.1 km at 5:58/km, even splits (5:43-6:06/km), hard all the way")
    shown = logical_lines(readme_race(DEFAULT))
    ratio = RATIO.search(lines_of(shown, "Load")[0])
    assert ratio is not None and float(ratio.group()[:-1]) < 1
    assert lines_of(lines, "Load") == [
        "Load, last 7 d: below your average week of the 4 before"]
    # the distance's trend stays; the distance per heartbeat is a heart-rate figure
    assert lines_of(lines, "Progress") == [lines_of(shown, "Progress")[0].split(";")[0]]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.parametrize("name", RECORDINGS)
def test_private_numbers_leave_no_heart_rate_figure_in_the_evidence_of_real_runs(
    language: str, name: str
) -> None:
    public, private = (classify(recording(name), voice=voice(language, numbers=numbers))
                       for numbers in (True, False))
    assert (private.workout, private.confidence) == (public.workout, public.confidence)
    assert figures(language, private.evidence) == [], private.evidence


def test_heart_rate_figures_are_found_in_the_public_evidence_of_real_runs() -> None:
    shown = [classify(recording(name)).evidence for name in RECORDINGS]
    assert sum(bool(figures("en", text)) for text in shown) >= len(shown) // 3


def test_an_imperial_german_block_speaks_miles_with_a_decimal_comma() -> None:
    lines = readme_race(voice("de", units="imperial"))
    race = race_record().distance_m
    assert lines[1].startswith(
        f"Wettkampf: {format_distance(race, imperial=True).replace('.', ',')} bei ")
    weekly = sum(week[2] for week in RUNPANDAS_WEEKS) * 1000 / 8 + race / 8  # with the race
    miles = format_distance(weekly, imperial=True).replace(".", ",")
    assert lines_of(logical_lines(lines), "Regelmäßigkeit") == [
        f"Regelmäßigkeit: 1,2 Läufe/Woche über 8 Wochen, {miles}/Woche; Ziel: 3 pro Woche"]


@pytest.mark.parametrize(("language", "decimal"),
                         [("en", "."), ("de", ","), ("es", ","), ("fr", ",")])
def test_numbers_use_the_decimal_separator_of_the_language(language: str, decimal: str) -> None:
    text = "\n".join(readme_race(voice(language)))
    km = format_distance(race_record().distance_m).replace(".", decimal)
    assert km in text and re.search(rf"\b0{decimal}\dx", text) and f"1{decimal}2 " in text
    other = "," if decimal == "." else "."
    assert not re.search(rf"\d\{other}\d", text)


@pytest.mark.parametrize("language", ["de", "es", "fr"])
def test_a_translated_block_has_no_english_heading_nor_english_words(language: str) -> None:
    english = {heading(x) for x in readme_race(voice())[1:-1]} - {None}
    translated = readme_race(voice(language))
    headings = [heading(x) for x in translated[1:-1] if heading(x) is not None]
    assert len(headings) == len(english) and not set(headings) & english
    words = re.compile(r"\b(?:Recovery|Load|Strength|Consistency|Progress|Refuel|History|"
                       r"easy|rest|week|runs?|quality|even splits|all the way)\b")
    assert not words.search("\n".join(translated[1:-1]))


#: What a count of one and of two reads like in each language.
PLURALS = {
    "en": ("History: only 1 d on record", "History: only 2 d on record"),
    "de": ("Verlauf: erst 1 Tag erfasst", "Verlauf: erst 2 Tage erfasst"),
    "es": ("Historial: solo 1 día registrado", "Historial: solo 2 días registrados"),
    "fr": ("Historique: seulement 1 jour enregistré", "Historique: seulement 2 jours enregistrés"),
}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_counts_of_one_and_two_take_the_plural_forms_of_the_language(language: str) -> None:
    earlier_today = session(0.02)
    one, two = (logical_lines(block_for(session(0), [earlier_today], days=days,
                                        voice=voice(language)))[2]
                for days in (1, 2))
    assert (one, two) == PLURALS[language]
    weeks = voice(language).translator
    assert weeks.ngettext("{n} week", "{n} weeks", 1) != weeks.ngettext("{n} week",
                                                                        "{n} weeks", 2)


def test_one_rest_day_is_singular_in_french() -> None:
    history = [session(d) for d in range(13, 0, -1) if d != 3]
    recovery = next(x for x in block_for(session(0), history, days=14, voice=voice("fr"))
                    if x.startswith("Récupération"))
    assert "1 jour de repos sur 7" in recovery


def test_a_voice_refuses_what_it_cannot_speak() -> None:
    with pytest.raises(ValueError, match="decimal separator"):
        Voice(decimal=";")
    with pytest.raises(ValueError, match="unknown language 'tlh'; supported: en, de"):
        Preferences(language="tlh")


def test_the_headline_keeps_the_classifiers_words_in_every_language() -> None:
    # Even kilometre splits, so the headline's "steady" is backed by the recording.
    splits = tuple(Lap(360.0 * k, 360.0, 360.0, 1000.0, 140.0) for k in range(8))
    current = Activity("Run", NOW - timedelta(hours=2), 2880.0, 2880.0, 8000.0, avg_hr=140.0,
                       max_hr=160.0, splits=splits)
    for language in LANGUAGES:
        v = voice(language)
        analysis = engine.analyse(current, default_profile(), voice=v)
        block = logical_lines(engine.feedback(analysis, None, current, v).split("\n"))
        assert block[1].endswith(analysis.classification.evidence)


def every_sport_type_we_meet() -> set[str]:
    """The sport types Strava documents (the sandbox's list) and those the parsers give."""
    return set(SPORT_TYPES) | {sport for sport, _indoor in FIT_SPORTS.values()} \
        | set(FILE_SPORT_NAMES.values()) | {FIT_MULTISPORT[0]}


@pytest.mark.parametrize("sport", sorted(every_sport_type_we_meet()))
def test_every_sport_type_has_a_name_an_athlete_reads_in_every_language(sport: str) -> None:
    names = {language: voice(language).sport(sport) for language in LANGUAGES}
    assert sport in SPORT_NAMES, f"{sport} has no name in analysis.voice.SPORT_NAMES"
    assert all(name.strip() and not re.search(r"[a-z][A-Z]", name) for name in names.values()), \
        names


def test_a_sport_type_strava_adds_later_is_spelt_out_as_words() -> None:
    assert DEFAULT.sport("PaddleTennis") == "Paddle Tennis"
    assert voice("de").sport("PaddleTennis") == "Paddle Tennis"


@pytest.mark.parametrize(("language", "strength", "ride"), [
    ("en", "Weight Training", "Ride"), ("de", "Krafttraining", "Radfahrt"),
    ("es", "Entrenamiento con pesas", "Bicicleta"), ("fr", "Musculation", "Vélo"),
])
def test_the_evidence_of_other_sports_names_them_in_the_athletes_language(
    language: str, strength: str, ride: str
) -> None:
    gym = Activity("WeightTraining", NOW, 2700, 2700, 0.0)
    spin = Activity("Ride", NOW, 5400, 5400, 45_000.0)
    assert classify(gym, voice=voice(language)).evidence.endswith(strength)
    assert ride in classify(spin, voice=voice(language)).evidence
    assert "WeightTraining" not in classify(gym, voice=voice(language)).evidence
