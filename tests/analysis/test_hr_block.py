"""A stretch at tempo heart rate is one effort only while the athlete runs: a standing rest
of STANDING_REST_S or more ends it, so "N min continuous" never spans a stop (issue 20:
"'51:28 min continuous' with 40:19 moving")."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis import segments
from analysis.classify import classify
from analysis.efforts import STANDING_REST_S
from analysis.model import Activity, Streams
from analysis.parsers.summary import activity_from_streams
from analysis.profile import default_profile
from tests.support import recordings

DATA = Path(__file__).resolve().parents[1] / "data"
#: A track session of 35 min at 87-96 % of max HR whose runner stood still between its parts.
TRACK = DATA / "real" / "connectstats-track_cs_5611.fit"
START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
#: 4:00/km, and a heart rate of 180 (95 % of the population's 190) while running.
RUN_SPEED, RUN_HR = 1000.0 / 240.0, 180.0


def run_with_stops(minutes: list[float], stops_s: list[int]) -> Activity:
    """Stretches of running at RUN_SPEED with a standstill between each two; the strap reads
    RUN_HR give or take 4 beats all along, standstills included."""
    moving = np.concatenate([
        part for i, m in enumerate(minutes)
        for part in ([np.ones(round(m * 60), dtype=bool)]
                     + ([np.zeros(stops_s[i], dtype=bool)] if i < len(stops_s) else []))])
    speed = np.where(moving, RUN_SPEED, 0.0)
    time = np.arange(moving.size, dtype=np.float64)
    streams = Streams(time=time, distance=np.cumsum(speed) - speed[0], speed=speed,
                      moving=moving, heartrate=RUN_HR + 4.0 * np.sin(time / 37.0))
    return activity_from_streams("Run", START, streams)


def longest_without_stop(streams: Streams) -> int:
    """Seconds of the longest stretch with no standstill of STANDING_REST_S or more."""
    stood = np.concatenate(([False], ~streams.moving, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(stood))
    long_stops = [(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True)
                  if b - a >= STANDING_REST_S]
    bounds = [0, *[x for stop in long_stops for x in stop], len(streams)]
    return max(bounds[i + 1] - bounds[i] for i in range(0, len(bounds), 2))


def test_two_12_min_runs_at_tempo_heart_rate_split_by_a_90_s_stop_are_no_24_min_block() -> None:
    activity = run_with_stops([12, 12], [90])
    features = segments.from_streams(activity, default_profile())
    assert features is not None and features.hr_block is None
    assert "continuous" not in classify(activity).evidence


def test_a_20_s_stop_at_a_crossing_leaves_a_tempo_whole() -> None:
    activity = run_with_stops([12, 12], [STANDING_REST_S - 10])
    features = segments.from_streams(activity, default_profile())
    assert features is not None and features.hr_block is not None
    assert features.hr_block.seconds == len(activity.streams or ())


@settings(max_examples=60, deadline=None)
# a run whose last kilometre ends on its last sample
@example(minutes=[1.5, 1.125, 1.203125, 12.125, 24.046875], stops=[5, 5, 5, 5])
@given(minutes=st.lists(st.floats(1, 25), min_size=1, max_size=5),
       stops=st.lists(st.integers(5, 180), min_size=4, max_size=4))
def test_a_heart_rate_block_never_spans_a_standing_rest(minutes: list[float],
                                                          stops: list[int]) -> None:
    activity = run_with_stops(minutes, stops)
    assert activity.streams is not None
    features = segments.from_streams(activity, default_profile())
    block = features.hr_block if features is not None else None  # None: too short to read
    assert block is None or block.seconds <= longest_without_stop(activity.streams)


def test_a_real_track_session_with_stops_has_no_block_across_them() -> None:
    activity = recordings.activity(TRACK)
    assert activity.streams is not None
    features = segments.from_streams(activity, default_profile())
    assert features is not None and features.hr_block is not None
    longest = longest_without_stop(activity.streams)
    assert features.hr_block.seconds <= longest < activity.streams.time[-1] / 2
