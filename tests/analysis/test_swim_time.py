"""A pool swim lasts its elapsed time, rests at the wall included, and the evidence says how
much of it was swimming where the two differ (issue 20: "12:20 min that lasted 31 min")."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.classify import SWIM_REST_S, classify, swimming_s
from analysis.model import Activity, Lap, Workout
from analysis.units import format_duration
from analysis.voice import DEFAULT
from tests.support import recordings

SWIM = Path(__file__).resolve().parents[1] / "data" / "blind-2026-12" / \
    "gc-AleV_Swim_2015-02-09-16-15.fit"


def pool_swim() -> Activity:
    return recordings.activity(SWIM)


def test_a_pool_swim_with_rests_at_the_wall_shows_its_whole_time_and_its_swimming() -> None:
    swim = pool_swim()
    rests = sum(lap.elapsed_s for lap in swim.laps if lap.distance_m <= 0)
    assert rests >= SWIM_REST_S
    evidence = classify(swim).evidence
    assert evidence == (f"2.4 km Swim, {format_duration(swim.elapsed_s)}, "
                        f"{DEFAULT.clock(swim.elapsed_s - rests)} swimming")


def test_a_swim_whose_moving_time_is_its_swimming_shows_the_time_it_lasted() -> None:
    # The same swim as Strava's summary gives it: no laps, a moving time without the rests.
    swim = pool_swim()
    swimming = sum(lap.elapsed_s for lap in swim.laps if lap.distance_m > 0)
    summary = replace(swim, laps=(), streams=None, moving_s=swimming)
    evidence = classify(summary).evidence
    assert format_duration(swim.elapsed_s) in evidence
    assert evidence.endswith(f"{DEFAULT.clock(swimming)} swimming")


@settings(max_examples=50, deadline=None)
@given(st.floats(300, 7200), st.floats(0, 1800), st.booleans())
def test_a_swim_shows_its_elapsed_time_and_its_swimming_only_when_they_differ(
    swum_s: float, rest_s: float, as_laps: bool
) -> None:
    elapsed = swum_s + rest_s
    laps = (Lap(0.0, swum_s, swum_s, 1000.0), Lap(swum_s, rest_s, rest_s, 0.0)) if as_laps \
        else ()
    swim = Activity("Swim", datetime(2024, 6, 1, 7, tzinfo=UTC), elapsed_s=elapsed,
                    moving_s=elapsed if as_laps else swum_s, distance_m=1000.0, laps=laps)
    result = classify(swim)
    assert result.workout is Workout.CROSS_TRAINING
    assert result.evidence.startswith(f"1.0 km Swim, {format_duration(elapsed)}")
    shown = swimming_s(swim)
    if rest_s >= SWIM_REST_S:
        assert shown is not None and abs(shown - swum_s) < 1e-6
        assert result.evidence.endswith(f", {DEFAULT.clock(swum_s)} swimming")
    else:
        assert shown is None and "swimming" not in result.evidence


def test_other_sports_keep_their_moving_time() -> None:
    ride = Activity("Ride", datetime(2024, 6, 1, 7, tzinfo=UTC), elapsed_s=3600.0,
                    moving_s=3000.0, distance_m=20000.0)
    assert swimming_s(ride) is None
    assert classify(ride).evidence == f"20.0 km Ride, {format_duration(3000.0)}"
