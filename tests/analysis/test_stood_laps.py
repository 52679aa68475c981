"""A lap that stood for most of its clock is a rest, however fast the GPS's drift makes its few
moving seconds (tests/data/blind-2026-12u: 5 x 1000 m on 2 min standing rests, each rest lap
69-183 m in 10-33 s of moving time, read as "6 km in a row", a tempo)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.classify import classify
from analysis.efforts import STOOD_LAP_SHARE, lap_efforts
from analysis.model import Activity, Lap, Workout

START = datetime(2026, 5, 30, 18, 0, tzinfo=UTC)


def session(rest_moving_s: list[float], rest_m: list[float]) -> Activity:
    """A 2 km warm-up, 5 x 1000 m in 4:00 on 2 min rests whose watch moved ``rest_moving_s``
    over ``rest_m`` of drift, and a 1 km cool-down: laps pressed by hand, no streams."""
    laps: list[Lap] = []
    clock = 0.0

    def lap(elapsed: float, moving: float, metres: float) -> None:
        nonlocal clock
        laps.append(Lap(clock, elapsed, moving, metres))
        clock += elapsed

    lap(660.0, 660.0, 2000.0)
    for i in range(5):
        lap(240.0, 240.0, 1000.0)
        if i < 4:
            lap(120.0, rest_moving_s[i], rest_m[i])
    lap(330.0, 330.0, 1000.0)
    return Activity("Run", START, clock, sum(x.moving_s for x in laps),
                    sum(x.distance_m for x in laps), laps=tuple(laps))


def test_five_1000s_on_standing_rests_with_gps_drift_are_intervals() -> None:
    result = classify(session([10.0, 30.0, 25.0, 33.0], [69.0, 100.0, 84.0, 94.0]))
    assert result.workout is Workout.INTERVALS, result.evidence
    assert result.evidence.startswith("5 x 4 min at 4:00/km"), result.evidence


@settings(max_examples=40, deadline=None)
@given(moving=st.lists(st.floats(1.0, STOOD_LAP_SHARE * 120.0 - 1.0), min_size=4, max_size=4),
       drift=st.lists(st.floats(0.0, 200.0), min_size=4, max_size=4))
def test_a_rest_lap_that_stood_is_never_a_repeat(moving: list[float],
                                                 drift: list[float]) -> None:
    efforts = lap_efforts(session(moving, drift).laps)
    assert [round(b.metres) for b in efforts.bouts] == [1000] * 5
