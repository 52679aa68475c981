"""Repeats whose rests the recorder paused through, as the fourteenth blind batch
(tests/data/blind-2026-12n) found them missed: 4 x 4 x 200 m on a track, the watch paused in
every rest and 2 min between the sets, read as "3.2 km at 3:31/km, steady"; and two climbs of
a hilly run taken for a second set of repeats. Built by hand from arrays; each failed before
its rule."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from analysis import repeats
from analysis.classify import classify
from analysis.model import Activity, Workout
from tests.support.runs import Part, session

#: 400 m in 85 s, and a rest stood with the recorder paused.
REP: Part = (85.0, 4.7, 0.0)
STOOD: Part = (60.0, 0.0, 0.0)
SET_BREAK: Part = (180.0, 0.0, 0.0)


def paused(activity: Activity) -> Activity:
    """The run as a watch on auto-pause records it: standing still is not moving."""
    streams = activity.streams
    assert streams is not None
    moving = streams.speed > 0.5
    streams = replace(streams, moving=moving, speed=np.where(moving, streams.speed, 0.0))
    return replace(activity, streams=streams, moving_s=float(np.count_nonzero(moving)))


def sets_of_400s(rest: Part, sets: int, reps: int) -> Activity:
    parts: list[Part] = []
    for s in range(sets):
        for r in range(reps):
            parts.append(REP)
            if r < reps - 1:
                parts.append(rest)
        if s < sets - 1:
            parts.append(SET_BREAK)
    return paused(session(parts))


def test_repeats_between_paused_rests_with_longer_breaks_between_sets_are_intervals() -> None:
    result = classify(sets_of_400s(STOOD, sets=4, reps=4))
    assert result.workout is Workout.INTERVALS, result.evidence
    assert "steady" not in result.evidence


def test_a_set_break_is_no_shorter_than_the_rests_inside_the_sets() -> None:
    # Two sets of 4 min and of 2 min repeats on 90 s and 60 s, 3 min between the sets ...
    assert repeats._sets(np.array([240.0, 245, 238, 120, 118, 122]),
                         np.array([90.0, 92, 180, 60, 61]))
    # ... but two long stretches and two short ones, 9 min apart inside the "second set" and
    # 70 s between the "sets", are the flat start and two climbs of a hilly run.
    assert not repeats._sets(np.array([176.0, 209, 71, 90]), np.array([19.0, 72, 556]))
