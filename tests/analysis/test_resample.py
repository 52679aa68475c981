"""Resampling raw device samples to 1 Hz streams."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from analysis.parsers.resample import (
    BRIDGE_GAP_S,
    HR_MAX_BPM,
    HR_MIN_BPM,
    MAX_SPAN_S,
    MOVING_SPEED_MPS,
    PAUSE_GAP_S,
    RUN_MAX_SPEED_MPS,
    SENSOR_GAP_S,
    haversine_steps,
    resample_1hz,
)

#: Degrees of latitude per metre (a meridian degree is about 111,195 m).
DEG_PER_M = 1 / 111_195.0


def steady(seconds: int, speed: float, step: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(0.0, seconds + step / 2, step)
    return t, t * speed


steps_s = st.one_of(st.just(0.0), st.floats(0.2, 7.0), st.floats(7.0, 400.0))


@st.composite
def recordings(draw: st.DrawFn) -> dict[str, np.ndarray]:
    n = draw(st.integers(1, 300))
    dt = draw(hnp.arrays(np.float64, n - 1, elements=steps_s))
    t = np.concatenate(([draw(st.floats(0, 30))], dt)).cumsum()
    ahead = draw(hnp.arrays(np.float64, n, elements=st.floats(0, 30)))
    hr = draw(hnp.arrays(np.float64, n, elements=st.one_of(st.floats(0, 300), st.just(np.nan))))
    alt = draw(hnp.arrays(np.float64, n, elements=st.one_of(st.floats(-50, 3000),
                                                             st.just(np.nan))))
    return {"t": t, "distance": ahead.cumsum(), "heartrate": hr, "altitude": alt}


@settings(max_examples=150, deadline=None)
@given(recordings())
# Distances a few ulps apart once made the interpolated distance step back by rounding.
@example(rec={"t": np.array([1.5, 3.25, 5.25]), "distance": np.array([5e-324, 1e-323, 1.5e-323]),
              "heartrate": np.zeros(3), "altitude": np.zeros(3)})
def test_output_is_one_hertz_with_equal_lengths_and_no_gaps_in_distance(rec: dict) -> None:
    s = resample_1hz(rec["t"], distance=rec["distance"], heartrate=rec["heartrate"],
                     altitude=rec["altitude"], max_speed=RUN_MAX_SPEED_MPS)
    n = int(rec["t"][-1]) + 1
    assert np.array_equal(s.time, np.arange(n, dtype=np.float64))
    for channel in (s.distance, s.speed, s.moving, s.heartrate, s.altitude, s.grade):
        assert channel is None or channel.shape == (n,)
    assert np.isfinite(s.distance).all() and np.isfinite(s.speed).all()
    assert (np.diff(s.distance) >= 0).all()
    assert ((s.speed >= 0) & (s.speed <= RUN_MAX_SPEED_MPS)).all()
    if s.heartrate is not None:
        known = s.heartrate[np.isfinite(s.heartrate)]
        assert ((known >= HR_MIN_BPM) & (known <= HR_MAX_BPM)).all()


@settings(max_examples=150, deadline=None)
@given(recordings())
def test_seconds_inside_a_long_gap_are_paused(rec: dict) -> None:
    t = rec["t"]
    s = resample_1hz(t, distance=rec["distance"])
    for a, b in zip(t[:-1], t[1:], strict=True):
        if b - a > BRIDGE_GAP_S:
            inside = (s.time > a) & (s.time < b)
            assert not s.moving[inside].any()
            assert (s.speed[inside] == 0).all()
            assert np.unique(s.distance[inside]).size <= 1


def test_a_pause_holds_distance_and_stops_moving() -> None:
    t1, d1 = steady(100, 3.0)
    t = np.concatenate((t1, t1 + 400))
    d = np.concatenate((d1, d1 + d1[-1] + 50))  # the watch drifted 50 m while paused
    s = resample_1hz(t, distance=d)
    assert not s.moving[101:400].any()
    assert s.distance[399] == pytest.approx(d1[-1])
    assert s.distance[-1] == pytest.approx(2 * d1[-1])
    assert s.moving[10:90].all() and s.moving[410:490].all()


def test_sparse_recording_while_running_is_bridged_not_paused() -> None:
    gap = (PAUSE_GAP_S + BRIDGE_GAP_S) / 2
    t, d = steady(1200, 3.0, step=gap)
    s = resample_1hz(t, distance=d)
    assert s.moving[1:-1].all()
    assert np.median(s.speed) == pytest.approx(3.0, rel=0.01)


def test_standing_still_is_not_moving_but_turning_cadence_is() -> None:
    t = np.arange(0.0, 60.0)
    still = resample_1hz(t, distance=np.zeros(60))
    treadmill = resample_1hz(t, distance=np.zeros(60), cadence=np.full(60, 170.0))
    assert not still.moving.any()
    assert treadmill.moving.all()
    assert (still.speed <= MOVING_SPEED_MPS).all()


def test_unusable_times_are_dropped_and_duplicates_keep_the_last_sample() -> None:
    t = np.array([0.0, 1.0, np.nan, 3.0, 2.0, -5.0, 4.0, 4.0])
    d = np.array([0.0, 3.0, 99.0, 9.0, 99.0, 99.0, 11.0, 12.0])
    s = resample_1hz(t, distance=d)
    assert len(s) == 5
    assert s.distance.tolist() == pytest.approx([0.0, 3.0, 6.0, 9.0, 12.0])


def test_heart_rates_a_heart_cannot_beat_are_dropped() -> None:
    t = np.arange(0.0, 5.0)
    hr = np.array([140.0, 250.0, 20.0, 150.0, np.nan])
    s = resample_1hz(t, distance=t * 3, heartrate=hr)
    assert s.heartrate is not None
    assert s.heartrate[0] == 140.0 and s.heartrate[3] == 150.0
    assert 140.0 <= s.heartrate[1] <= 150.0  # interpolated over the bad samples


def test_a_silent_heart_rate_strap_leaves_nan() -> None:
    t = np.arange(0.0, 100.0)
    hr = np.where((t > 30) & (t < 30 + 2 * SENSOR_GAP_S), np.nan, 150.0)
    s = resample_1hz(t, distance=t * 3, heartrate=hr)
    assert s.heartrate is not None
    assert np.isnan(s.heartrate[35:55]).all()
    assert np.isfinite(s.heartrate[:30]).all()


def test_a_gps_jump_does_not_add_distance() -> None:
    t = np.arange(0.0, 121.0)
    lat = 52.0 + 3.0 * t * DEG_PER_M
    lat[60] += 2000 * DEG_PER_M
    s = resample_1hz(t, lat=lat, lon=np.full(t.size, 4.0), max_speed=RUN_MAX_SPEED_MPS)
    true_length = haversine_steps(np.delete(lat, 60), np.full(t.size - 1, 4.0)).sum()
    assert s.distance[-1] <= true_length + 2 * 2 * RUN_MAX_SPEED_MPS
    assert s.speed.max() <= RUN_MAX_SPEED_MPS


def test_points_without_a_gps_fix_do_not_lose_the_distance_around_them() -> None:
    t = np.arange(0.0, 121.0)
    lat, lon = 52.0 + 3.0 * t * DEG_PER_M, np.full(t.size, 4.0)
    full = resample_1hz(t, lat=lat, lon=lon)
    lat[40:45] = np.nan
    patchy = resample_1hz(t, lat=lat, lon=lon)
    assert patchy.distance[-1] == pytest.approx(full.distance[-1])
    assert patchy.moving[38:48].all()


def test_grade_follows_a_steady_climb_and_is_absent_without_altitude() -> None:
    t, d = steady(600, 3.0)
    s = resample_1hz(t, distance=d, altitude=d * 0.05)
    assert s.grade is not None
    assert np.nanmedian(s.grade[100:500]) == pytest.approx(5.0, abs=0.1)
    assert resample_1hz(t, distance=d).grade is None


def test_haversine_matches_a_known_meridian_arc() -> None:
    one_degree = haversine_steps(np.array([0.0, 1.0]), np.array([0.0, 0.0]))[0]
    assert one_degree == pytest.approx(2 * np.pi * 6371008.8 / 360)


def test_a_48_hour_recording_resamples_quickly() -> None:
    t, d = steady(172_799, 2.5)
    hr = np.full(t.size, 130.0)
    t[100_000:] += 600  # a ten-minute stop
    started = time.perf_counter()
    s = resample_1hz(t, distance=d, heartrate=hr, altitude=np.sin(t / 900) * 30)
    elapsed = time.perf_counter() - started
    assert len(s) == 172_800 + 600
    assert not s.moving[100_001:100_599].any()
    assert elapsed < 2.0


def test_mismatched_lengths_and_endless_recordings_are_refused() -> None:
    with pytest.raises(ValueError, match="shape"):
        resample_1hz(np.arange(5.0), distance=np.arange(4.0))
    with pytest.raises(ValueError, match="span"):
        resample_1hz(np.array([0.0, MAX_SPAN_S + 1]))
    with pytest.raises(ValueError, match="usable time"):
        resample_1hz(np.array([np.nan, -1.0]))


def test_an_altimeter_heard_only_as_a_pause_began_leaves_grade_unknown() -> None:
    s = resample_1hz(np.array([0.0, 2 * BRIDGE_GAP_S]), distance=np.zeros(2),
                     altitude=np.array([5.0, np.nan]))
    assert s.grade is not None and np.isnan(s.grade).all()


def written_every(seconds: int | tuple[int, ...], speed: float, total_s: int = 600,
                  stop: tuple[int, int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A sample a second whose distance the device updates only every ``seconds`` (a tuple:
    those intervals in turn), the last value repeated in between, running at ``speed``;
    standing still over ``stop`` = (from, to) seconds, when given."""
    t = np.arange(total_s + 1, dtype=np.float64)
    v = np.full(t.size, speed)
    if stop is not None:
        v[stop[0]:stop[1]] = 0.0
    true = np.concatenate(([0.0], np.cumsum(v[1:])))
    intervals = seconds if isinstance(seconds, tuple) else (seconds,)
    writes = np.cumsum(np.resize(np.array(intervals), total_s + 1))
    last = np.concatenate(([0], writes))[np.searchsorted(writes, t, side="right")]
    return t, true[last.astype(int)]


def test_a_distance_written_every_three_to_five_seconds_reads_as_the_pace_run() -> None:
    """A Suunto 9 writes its distance every 3-5 s: read as written, its steps are up to
    4.5 m/s and its holds standstills (tests/data/blind-2026-12za)."""
    t, distance = written_every((3, 5, 4, 3, 4, 5), 3.0)
    streams = resample_1hz(t, distance=distance)
    assert float(np.max(streams.speed[10:-10])) == pytest.approx(3.0, abs=0.2)
    assert streams.distance[-1] == pytest.approx(1800.0, abs=12.0)
    assert streams.moving[5:-5].all()


def test_a_standstill_inside_such_a_recording_stays_a_standstill() -> None:
    t, distance = written_every(4, 3.0, stop=(200, 260))
    streams = resample_1hz(t, distance=distance)
    assert not streams.moving[212:252].any()
    assert streams.moving[20:190].all() and streams.moving[270:590].all()


def test_a_device_writing_every_second_keeps_its_short_stops() -> None:
    """Repeats only at two 5 s stops at lights: no pattern of a device writing every few
    seconds, so the stops stay as written."""
    t, distance = written_every(1, 3.0, stop=(100, 105))
    later = written_every(1, 3.0, stop=(400, 405))[1]
    distance = np.where(t < 300, distance, later)
    streams = resample_1hz(t, distance=distance)
    assert not streams.moving[101:104].any() and not streams.moving[401:404].any()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(2, 6), min_size=1, max_size=5), st.floats(2.0, 5.5))
def test_any_update_intervals_of_a_few_seconds_keep_the_speed_run(seconds: list[int],
                                                                  speed: float) -> None:
    t, distance = written_every(tuple(seconds), speed)
    streams = resample_1hz(t, distance=distance)
    inner = streams.speed[20:-20]
    assert float(np.max(np.abs(inner - speed))) <= 0.1 * speed
