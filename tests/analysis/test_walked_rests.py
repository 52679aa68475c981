"""Repeats at interval pace, each walked off or stood after, are intervals whatever their
lengths: a track ladder of 800-400-400-4 x 200-400-400-800 m at 3:07-3:44/km, its rests walked
or stood for 60-150 s, read as "11.3 km at 6:46/km, steady" because only four of its rests
were standstills (tests/data/blind-2026-12y). The running of a run/walk, no faster than easy
running, stays what it was."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis import segments
from analysis.classify import classify
from analysis.model import Activity, Streams, Workout
from analysis.parsers.summary import activity_from_streams
from analysis.profile import default_profile

START = datetime(2026, 7, 2, 18, 0, tzinfo=UTC)
#: The jog of the warm-up and cool-down (5:20/km) and a walk (13:20/km), in m/s.
JOG, WALK = 1000.0 / 320.0, 1000.0 / 800.0
#: The ladder's metres, as the track session ran them ...
LADDER = (800, 400, 400, 200, 200, 200, 200, 400, 400, 800)
#: ... and their paces (s/km): the short ones faster, as that session's were.
PACES = (222, 207, 213, 193, 185, 196, 188, 191, 206, 222)


def session(paces: tuple[float, ...], rests: list[tuple[int, int]],
            lengths: tuple[int, ...] = LADDER) -> Activity:
    """12 min jogged, the repeats of ``lengths`` metres at ``paces`` (s/km), each followed by
    the rest ``rests[i]`` = (seconds walked, seconds stood), then 12 min jogged; flat, no heart
    rate."""
    speed, moving = [np.full(12 * 60, JOG)], [np.ones(12 * 60, dtype=bool)]
    for i, (metres, pace) in enumerate(zip(lengths, paces, strict=True)):
        rep = 1000.0 / pace
        seconds = round(metres / rep)
        speed.append(np.full(seconds, rep))
        moving.append(np.ones(seconds, dtype=bool))
        if i < len(lengths) - 1:
            walked, stood = rests[i]
            speed += [np.full(walked, WALK), np.zeros(stood)]
            moving += [np.ones(walked, dtype=bool), np.zeros(stood, dtype=bool)]
    speed.append(np.full(12 * 60, JOG))
    moving.append(np.ones(12 * 60, dtype=bool))
    v, m = np.concatenate(speed), np.concatenate(moving)
    distance = np.concatenate(([0.0], np.cumsum(v[1:])))
    streams = Streams(time=np.arange(v.size, dtype=np.float64), distance=distance, speed=v,
                      moving=m, altitude=np.full(v.size, 20.0))
    return activity_from_streams("Run", START, streams)


#: Rests as the ladder's were: mostly walked, some stood, 60-150 s, no two alike.
MIXED = [(20, 138), (70, 20), (75, 13), (119, 36), (46, 20), (34, 29), (60, 10), (39, 55),
         (90, 20)]


#: Rests walked for 60-150 s, no two alike.
WALKED = [(95, 0), (60, 5), (70, 0), (120, 10), (66, 0), (63, 0), (93, 0), (94, 0), (150, 0)]


def test_a_track_ladder_walked_off_after_each_rep_is_intervals() -> None:
    # a runner 10 % slower than the blind batch's: 3:24-4:04/km
    result = classify(session(tuple(p * 1.1 for p in PACES), WALKED))
    assert result.workout is Workout.INTERVALS, result.evidence


def test_the_same_shape_at_an_easy_pace_is_no_interval_session() -> None:
    """Run 200-800 m at 5:50-7:00/km, walk a minute or two between: a run/walk, not repeats at
    interval pace, whether or not its walks count as the rests of a session."""
    result = classify(session(tuple(p * 1.9 for p in PACES), MIXED))
    assert result.workout is not Workout.INTERVALS, result.evidence


def walked_rests_counted(activity: Activity) -> tuple[int, int]:
    features = segments.from_streams(activity, default_profile())
    assert features is not None
    gaps = features.efforts.gaps
    return sum(g.walked for g in gaps), sum(g.stood for g in gaps)


def test_a_walked_rest_is_walked_and_not_stood() -> None:
    walked, stood = walked_rests_counted(session(PACES, MIXED))
    assert walked == len(MIXED) and stood < len(MIXED) / 2


@settings(max_examples=30, deadline=None)
@example(rests=[(40, 0)] * (len(LADDER) - 1), slower=1.125)
@given(rests=st.lists(st.tuples(st.integers(40, 140), st.integers(0, 60)),
                      min_size=len(LADDER) - 1, max_size=len(LADDER) - 1),
       slower=st.floats(0.9, 1.15))
def test_repeats_at_interval_pace_on_walked_rests_are_intervals(
        rests: list[tuple[int, int]], slower: float) -> None:
    result = classify(session(tuple(p * slower for p in PACES), rests))
    assert result.workout is Workout.INTERVALS, result.evidence
