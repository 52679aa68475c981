"""GPS jumps of a few seconds inside a run count the runner's pace, not the jump's: no
distance, pace, split or lap holds a speed no one runs, while a sprint keeps its own
(issue 20: "GPS bursts under 30 s still capped")."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis import parsers
from analysis.model import Activity
from analysis.parsers.resample import RUN_MAX_SPEED_MPS, resample_1hz
from analysis.parsers.summary import activity_from_streams
from analysis.plausibility import (
    JITTER_S,
    ON_FOOT,
    VEHICLE_S,
    VEHICLE_SPEED,
    without_vehicle_stretches,
)
from tests.support import recordings
from tests.support.recordings import files, raw

DATA = Path(__file__).resolve().parents[1] / "data"
#: A phone-GPS run of the runpandas athlete whose track leaps 110 m in 11 s (10.1 m/s)
#: between stretches at 3 m/s, 14 minutes in.
LEAPING = DATA / "history" / "runpandas-athlete" / "7ff163c7-3486-434f-8201-e83ce7f675b6.gpx.gz"
def best_speed(activity: Activity, metres: float) -> float:
    """The fastest ``metres`` of the streams, in m/s of moving time."""
    assert activity.streams is not None
    distance, moving = activity.streams.distance, np.cumsum(activity.streams.moving)
    ends = np.searchsorted(distance, distance + metres)
    inside = ends < distance.size
    seconds: np.ndarray = moving[ends[inside]] - moving[np.flatnonzero(inside)]
    return float(metres / np.min(seconds[seconds > 0]))


def test_a_real_runs_gps_leap_leaves_its_distance_and_its_fastest_100_m() -> None:
    before, run = raw(LEAPING), recordings.activity(LEAPING)
    assert before.streams is not None and run.streams is not None
    assert float(np.max(before.streams.speed)) > VEHICLE_SPEED  # the leap, as recorded
    assert float(np.max(run.streams.speed)) <= VEHICLE_SPEED
    assert best_speed(run, 100.0) <= VEHICLE_SPEED < best_speed(before, 100.0)
    # its time stays (the runner ran on), its distance is what was run around it
    assert run.moving_s == before.moving_s and run.left_out is None
    assert 30.0 < before.distance_m - run.distance_m < 150.0
    assert run.distance_m == pytest.approx(
        float(run.streams.distance[-1] - run.streams.distance[0]), abs=1.0)


#: A phone-GPS tempo run of the runpandas athlete with single fixes out of line.
SPIKED = DATA / "history" / "runpandas-athlete" / "feaf2949-0da0-47cf-b4ed-6818c70d0733.gpx.gz"


def test_a_real_runs_single_fix_out_of_line_counts_the_pace_around_it() -> None:
    before, run = raw(SPIKED), recordings.activity(SPIKED)
    assert before.streams is not None and run.streams is not None
    steps, kept = np.diff(before.streams.distance), np.diff(run.streams.distance)
    # a step faster than anyone on foot between steps of a jog, as recorded
    lone = [i for i in np.flatnonzero(steps > VEHICLE_SPEED)
            if np.all(np.delete(steps[i - JITTER_S:i + JITTER_S + 1], JITTER_S) < 3.0)]
    assert lone
    for i in lone:
        assert kept[i] <= float(np.max(steps[i - VEHICLE_S:i + VEHICLE_S][
            steps[i - VEHICLE_S:i + VEHICLE_S] <= VEHICLE_SPEED]))
    assert run.distance_m < before.distance_m and run.moving_s == before.moving_s


def run_with(seconds: int, speed: float, at: float, pace: float = 3.0,
             run_s: int = 1800) -> Activity:
    """A run at ``pace`` m/s with ``seconds`` at ``speed`` m/s ``at`` of the way through."""
    start = int(at * run_s)
    speeds = np.concatenate((np.full(start, pace), np.full(seconds, speed),
                             np.full(run_s - start, pace)))
    distance = np.concatenate(([0.0], np.cumsum(speeds)))
    streams = resample_1hz(np.arange(distance.size, dtype=float), distance=distance,
                           max_speed=RUN_MAX_SPEED_MPS)
    return activity_from_streams("Run", datetime(2024, 6, 1, 7, tzinfo=UTC), streams)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, VEHICLE_S - 1), st.floats(VEHICLE_SPEED + 0.5, 60.0),
       st.floats(0.05, 0.95), st.floats(1.8, 6.0))
@example(seconds=3, speed=11.0, at=0.5, pace=2.0)  # 33 m in 3 s, under 9.5 m/s over 5 s
@example(seconds=1, speed=12.5, at=0.5, pace=3.0)  # one fix out of line
def test_a_jump_counts_the_pace_around_it_and_no_speed_beyond_a_runners(
    seconds: int, speed: float, at: float, pace: float
) -> None:
    run = run_with(seconds, speed, at, pace)
    cleaned = without_vehicle_stretches(run)
    assert cleaned.streams is not None
    assert float(np.max(cleaned.streams.speed)) <= VEHICLE_SPEED
    assert cleaned.distance_m <= run.distance_m
    assert cleaned.moving_s == run.moving_s
    # the seconds of the jump at the runner's pace, give or take the ramp's
    assert abs(cleaned.distance_m - pace * (1800 + seconds)) <= 2 * RUN_MAX_SPEED_MPS


@settings(max_examples=30, deadline=None)
@given(st.integers(5, 60), st.floats(7.5, VEHICLE_SPEED - 0.05), st.floats(0.05, 0.95))
def test_a_sprint_a_runner_can_hold_stays_as_it_was(seconds: int, speed: float,
                                                     at: float) -> None:
    run = run_with(seconds, speed, at)
    assert without_vehicle_stretches(run) == run


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(5, 1790), min_size=1, max_size=30), st.floats(2.0, 6.0))
def test_a_devices_jittering_clock_costs_no_distance(late: list[int], pace: float) -> None:
    # a sample logged a second late: one step of none, the next of two seconds' running
    steps = np.full(1800, pace)
    for i in late:
        steps[i], steps[i + 1] = 0.0, steps[i] + steps[i + 1]
    distance = np.concatenate(([0.0], np.cumsum(steps)))
    streams = resample_1hz(np.arange(distance.size, dtype=float), distance=distance,
                           max_speed=RUN_MAX_SPEED_MPS)
    run = activity_from_streams("Run", datetime(2024, 6, 1, 7, tzinfo=UTC), streams)
    assert without_vehicle_stretches(run).distance_m == pytest.approx(run.distance_m, abs=1e-6)


@pytest.mark.parametrize("path", files(), ids=lambda p: p.name)
def test_every_real_recording_on_foot_is_cleaned_whole_or_left_whole(path: Path) -> None:
    try:
        before = raw(path)
    except parsers.ActivityFileError:
        pytest.skip("not a readable recording")
    if before.sport not in ON_FOOT or before.streams is None:
        return
    after = without_vehicle_stretches(before)
    if after is before:
        return
    assert after.streams is not None
    assert after.distance_m <= before.distance_m
    assert float(np.max(after.streams.speed)) <= VEHICLE_SPEED
    assert all(lap.speed <= VEHICLE_SPEED for lap in (*after.laps, *after.splits))
    assert sum(lap.distance_m for lap in after.laps) <= sum(lap.distance_m for lap in before.laps)
