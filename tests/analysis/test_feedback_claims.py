"""The headline's claims held to real recordings: steady, even, all the way, continuous."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from analysis import engine
from analysis.claims import BREAK_S, STEADY_BREAK_S, Pacing, check, pacing
from analysis.feedback import CONTINUATION, LINE_WIDTH, NOT_EASY_HR_FRAC, wrapped
from analysis.model import Activity, Workout
from analysis.parsers import ActivityFileError
from analysis.profile import default_profile
from analysis.voice import DEFAULT, Voice
from tests.support import recordings
from tests.support.blocks import logical_lines
from tests.support.voices import voice

DATA = Path(__file__).resolve().parents[1] / "data"
ATHLETE = DATA / "history" / "runpandas-athlete"
#: Every real recording in the repository.
REAL_FILES = sorted(
    p for folder in ("real", "runs", "sessions", "history/runpandas-athlete")
    for p in (DATA / folder).iterdir()
    if p.name.lower().removesuffix(".gz").endswith((".fit", ".gpx", ".tcx", ".json"))
)


@cache
def sessions(path: Path) -> tuple[Activity, ...]:
    try:
        return recordings.sessions(path)
    except ActivityFileError:
        return ()


def recording(name: str) -> Activity:
    return sessions(ATHLETE / name)[0]


def headline(activity: Activity, v: Voice = DEFAULT) -> str:
    analysis = engine.analyse(activity, default_profile(), voice=v)
    return logical_lines(engine.feedback(analysis, None, activity, v).split("\n"))[1]


def test_a_hard_even_run_broken_by_a_standstill_is_no_race() -> None:
    # The README's old example: 8.2 km at 5:36-5:59/km, HR 92 % of max, with 2:48 standing
    # at 25 min and 5 min stopped in all (issue 20: "Race" on a run with a 2 min 47 s
    # standstill). Its label, its headline and the mix it counts in now agree: no race.
    run = recording("0c97d8a7-8081-4609-b92c-5932468d7b8e.gpx.gz")
    facts = pacing(run)
    assert facts.longest_break_s is not None and facts.longest_break_s >= BREAK_S
    analysis = engine.analyse(run, default_profile())
    assert analysis.classification.workout is not Workout.RACE
    assert analysis.record.workout is not Workout.RACE
    assert headline(run) == "Tempo: 8.2 km at 5:50/km, 47:46 moving of 52:49"


def test_the_same_run_without_its_standstills_is_a_race() -> None:
    # The rule is the standstill, not the file: cut out the samples at a standstill and the
    # even hard 8.2 km is a race again.
    run = recording("0c97d8a7-8081-4609-b92c-5932468d7b8e.gpx.gz")
    streams = run.streams
    assert streams is not None
    keep = streams.moving
    through = replace(run, elapsed_s=float(keep.sum()), moving_s=float(keep.sum()),
                      streams=replace(streams, time=np.arange(int(keep.sum()), dtype=float),
                                      distance=streams.distance[keep],
                                      speed=streams.speed[keep], moving=streams.moving[keep],
                                      heartrate=None if streams.heartrate is None
                                      else streams.heartrate[keep],
                                      altitude=None if streams.altitude is None
                                      else streams.altitude[keep],
                                      grade=None, cadence=None, power=None))
    assert pacing(through).unbroken()
    assert engine.analyse(through, default_profile()).classification.workout is Workout.RACE


def test_a_race_whose_heart_rate_climbed_at_the_start_says_its_average_not_all_the_way(
) -> None:
    race = recording("5a37ceaf-18be-46ed-8a81-df908f8cbd3f.gpx.gz")
    facts = pacing(race)
    assert facts.unbroken() and facts.even and facts.hr_held is False
    # its GPS jumps (11 m) count the pace run around them
    assert headline(race) == (
        "Race: 5.1 km at 5:58/km, even splits (5:43-6:06/km), "
        "HR 93 % of max (assumed 190) on average")


def test_an_easy_run_with_a_kilometre_twice_as_slow_is_not_steady() -> None:
    run = recording("1d5a49c5-e16b-4ec0-b57a-3a7d52271de3.gpx.gz")
    assert "steady" in engine.analyse(run, default_profile()).classification.evidence
    assert not pacing(run).even
    assert "steady" not in headline(run)


def test_a_continuous_tempo_broken_by_a_minute_of_standing_is_not_continuous() -> None:
    run = recording("feaf2949-0da0-47cf-b4ed-6818c70d0733.gpx.gz")
    assert "continuous" in engine.analyse(run, default_profile()).classification.evidence
    assert not pacing(run).unbroken()
    # 3,930 m in 22:18 once its GPS jumps (87 m) count the pace run around them
    assert headline(run) == "Tempo: 3.9 km at 5:40/km in 22:18"


def test_a_claimed_duration_longer_than_the_moving_time_is_not_continuous() -> None:
    run = recording("3468b503-b02e-4eb6-ab1c-760eca0bc5ec.gpx.gz")
    facts = pacing(run)
    evidence = "51:28 min continuous at 4:10/km"
    assert facts.unbroken() and facts.moving_s < 51 * 60
    assert "continuous" not in check(evidence, Workout.TEMPO, run, DEFAULT, facts).evidence
    assert check("20 min continuous at 4:10/km", Workout.TEMPO, run, DEFAULT,
                 facts).evidence == "20 min continuous at 4:10/km"


def test_an_easy_headline_never_stands_beside_a_hard_session() -> None:
    # 54 min at 6:22/km with the heart rate at 87 % of the assumed maximum: a load of 156.
    run = recording("2d44350c-ca74-4d2e-b3af-77139b0ca3ea.gpx.gz")
    analysis = engine.analyse(run, default_profile())
    assert analysis.classification.workout is Workout.EASY and analysis.record.hard
    lines = engine.feedback(analysis, None, run).split("\n")
    assert lines[1].startswith("Run: ")
    assert any("hard session of" in x for x in lines)


@pytest.mark.parametrize("language", ["de", "es", "fr"])
def test_claims_are_found_and_replaced_in_every_language(language: str) -> None:
    run = recording("0c97d8a7-8081-4609-b92c-5932468d7b8e.gpx.gz")
    v = voice(language)
    analysis = engine.analyse(run, default_profile(), voice=v)
    continuous = v.gettext("{duration} continuous at {share}").split("{duration}")[1]
    continuous = continuous.split("{share}")[0].strip()
    assert continuous in analysis.classification.evidence
    first = logical_lines(engine.feedback(analysis, None, run, v).split("\n"))[1]
    assert continuous not in first
    assert first.endswith(v.gettext("{distance} at {pace}, {moving} moving of {elapsed}")
                          .format(distance=v.distance(run.distance_m), pace=v.pace(run.speed),
                                  moving=v.clock(run.moving_s), elapsed=v.clock(run.elapsed_s)))


def test_a_summary_without_streams_is_unbroken_only_when_its_stops_are_short() -> None:
    race = recording("5a37ceaf-18be-46ed-8a81-df908f8cbd3f.gpx.gz")
    bare = replace(race, streams=None)
    assert pacing(bare).unbroken() == (bare.elapsed_s - bare.moving_s < BREAK_S)
    assert not pacing(replace(bare, elapsed_s=bare.moving_s + 600)).unbroken()


# One case per file, parsed when it runs (not at collection, which every test process repeats).
@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_every_real_recording_gets_only_claims_its_data_bear_out(path: Path) -> None:
    for activity in sessions(path):
        _claims_borne_out(path.name, activity)


def _claims_borne_out(name: str, activity: Activity) -> None:
    analysis = engine.analyse(activity, default_profile())
    lines = logical_lines(engine.feedback(analysis, None, activity).split("\n")[1:-1])
    first = lines[0]
    facts: Pacing = pacing(activity)
    if ", steady" in first:
        assert facts.even and facts.unbroken(STEADY_BREAK_S), (name, first)
    if any(word in first for word in ("all the way", "continuous", "in a row")):
        assert facts.unbroken(), (name, first)
    if "HR" in first and "all the way" in first:
        assert facts.hr_held, (name, first)
    if first.startswith(("Easy:", "Recovery run:")):
        assert not any("hard session" in x for x in lines), (name, lines)
        hr = analysis.record.avg_hr
        assert hr is None or hr < NOT_EASY_HR_FRAC * analysis.profile.max_hr, (name, first)
    assert not any(x.startswith(("Mix", "Load", "Strength:", "Consistency", "Progress"))
                   for x in lines), (name, lines)
    assert not any("/week" in x or "days off" in x for x in lines), (name, lines)


def test_a_threshold_pace_from_the_population_default_is_said_to_be_assumed() -> None:
    path = DATA / "real" / "trackeR-2013-06-20-180628.TCX.gz"
    run = sessions(path)[0]
    assumed = headline(run)
    assert "km in a row" in assumed and "threshold pace (assumed 4:30/km)" in assumed
    own = replace(default_profile(), pace_source="history")
    analysis = engine.analyse(run, own)
    first = logical_lines(engine.feedback(analysis, None, run).split("\n"))[1]
    assert "threshold pace" in first and "assumed 4:30/km" not in first


@pytest.mark.parametrize("language", ["en", "de", "es", "fr"])
def test_every_line_after_the_headline_fits_a_phone_where_a_clause_ends_before_it(
    language: str
) -> None:
    """A line runs past LINE_WIDTH only when it holds one clause too long to break: the
    clauses after it go on lines of their own."""
    v = voice(language)
    for path in REAL_FILES[::4]:
        for activity in sessions(path):
            analysis = engine.analyse(activity, default_profile(), voice=v)
            for x in engine.feedback(analysis, None, activity, v).split("\n")[1:-1]:
                head = x.find(": ") + 1 if not x.startswith(CONTINUATION) else 0
                clauses = x[max(head, 3):-1]
                breakable = any(sep in clauses for sep in ("; ", ": ", ", "))
                assert len(x) <= LINE_WIDTH or not breakable, (path.name, x)


def test_a_clause_too_long_for_a_phone_keeps_the_clauses_after_it_on_lines_of_their_own(
) -> None:
    line = "Long run: " + "x" * 70 + "; heart rate set aside: a race or a sensor error"
    assert wrapped(line) == ["Long run: " + "x" * 70 + ";",
                             CONTINUATION + "heart rate set aside: a race or a sensor error"]


def test_an_easy_headline_never_shows_a_heart_rate_at_threshold() -> None:
    # 3.2 km at 5:56/km with the heart rate averaging 90 % of the assumed maximum.
    run = recording("786aa408-9639-4f8d-94b7-68e8d5b44241.gpx.gz")
    assert engine.analyse(run, default_profile()).classification.workout is Workout.EASY
    assert headline(run).startswith("Run: 3.2 km at 5:56/km")
    gentle = recording("e960762f-c841-4dc2-8498-e1dba8fc9a97.gpx.gz")
    assert headline(gentle).startswith("Easy: 4.1 km at 6:28/km")
