"""Stretches of a run at a vehicle's speed are left out of its distance, pace and splits,
and said once, under that run only (issue 20)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import engine
from analysis.model import Activity
from analysis.parsers.resample import RUN_MAX_SPEED_MPS, resample_1hz
from analysis.parsers.summary import activity_from_streams
from analysis.plausibility import (
    VEHICLE_S,
    VEHICLE_SPEED,
    WORLD_RECORD_1K_SPEED,
    ride_kilometres,
    without_vehicle_stretches,
)
from analysis.profile import default_profile
from tests.support import recordings

ATHLETE = Path(__file__).resolve().parents[1] / "data" / "history" / "runpandas-athlete"
#: A phone-GPS run of the runpandas athlete with 2 km covered in under 3 minutes.
JUMPED = "eea8fa30-e280-472f-9262-5690fb40fb32.gpx.gz"
NOTE = "left out: faster than on foot"


def recording(name: str) -> Activity:
    return recordings.activity(ATHLETE / name)


def test_a_real_run_has_no_kilometre_faster_than_any_runner_once_the_jump_is_out() -> None:
    run = recording(JUMPED)
    assert run.left_out is not None and run.left_out.distance_m > 1000
    assert ride_kilometres(run, WORLD_RECORD_1K_SPEED)[1] == 0
    assert run.streams is not None
    assert run.distance_m == float(run.streams.distance[-1] - run.streams.distance[0])
    evidence = engine.analyse(run, default_profile()).classification.evidence
    assert evidence.count(NOTE) == 1
    assert f"{run.left_out.distance_m / 1000:.1f} km in" in evidence


def test_the_note_stands_under_its_own_run_and_not_under_the_next() -> None:
    run = recording(JUMPED)
    analysis = engine.analyse(run, default_profile(), activity_id=1)
    own = engine.feedback(analysis, [], run)
    assert own.count(NOTE) == 1
    later = replace(recording("5a37ceaf-18be-46ed-8a81-df908f8cbd3f.gpx.gz"),
                    start=run.start + timedelta(days=1))
    after = engine.analyse(later, default_profile(), activity_id=2)
    block = engine.feedback(after, [analysis.record], later)
    assert NOTE not in block and "implausible" not in block


def run_with_a_ride(run_s: int, ride_s: int, ride_speed: float, at: float) -> Activity:
    """A run at 3 m/s of ``run_s`` seconds with ``ride_s`` seconds at ``ride_speed`` m/s
    (a car, a train, a GPS jump) ``at`` of the way through, as a device's points."""
    start = int(at * run_s)
    speed = np.concatenate((np.full(start, 3.0), np.full(ride_s, ride_speed),
                            np.full(run_s - start, 3.0)))
    distance = np.concatenate(([0.0], np.cumsum(speed)))
    t = np.arange(distance.size, dtype=float)
    streams = resample_1hz(t, distance=distance, max_speed=RUN_MAX_SPEED_MPS)
    return activity_from_streams("Run", datetime(2024, 6, 1, 7, tzinfo=UTC), streams)


@settings(max_examples=30, deadline=None)
@given(st.integers(VEHICLE_S + 10, 200), st.floats(VEHICLE_SPEED + 1.0, 60.0),
       st.floats(0.1, 0.9))
def test_any_stretch_at_a_vehicles_speed_leaves_the_runs_distance_and_pace(
    ride_s: int, ride_speed: float, at: float
) -> None:
    run_s = 2400
    cleaned = without_vehicle_stretches(run_with_a_ride(run_s, ride_s, ride_speed, at))
    assert cleaned.left_out is not None
    # the run's own 7.2 km, give or take the few seconds the speed takes to ramp
    assert abs(cleaned.distance_m - 3.0 * run_s) <= 10 * RUN_MAX_SPEED_MPS
    assert abs(cleaned.speed - 3.0) < 0.1
    assert ride_kilometres(cleaned, WORLD_RECORD_1K_SPEED)[1] == 0


@settings(max_examples=20, deadline=None)
@given(st.integers(1, VEHICLE_S - 10), st.floats(VEHICLE_SPEED + 1.0, 60.0),
       st.floats(0.1, 0.9))
def test_a_burst_of_seconds_keeps_its_time_but_counts_the_runners_pace(
    ride_s: int, ride_speed: float, at: float
) -> None:
    run_s = 2400
    run = run_with_a_ride(run_s, ride_s, ride_speed, at)
    cleaned = without_vehicle_stretches(run)
    assert cleaned.left_out is None and cleaned.moving_s == run.moving_s
    # the runner ran on at 3 m/s through the jump, give or take the ramp's few seconds
    assert abs(cleaned.distance_m - 3.0 * (run_s + ride_s)) <= 10 * RUN_MAX_SPEED_MPS
    assert cleaned.distance_m <= run.distance_m
