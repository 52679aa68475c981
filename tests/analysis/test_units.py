"""Paces, durations and distances as a runner reads them."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from analysis.units import (
    METRES_PER_MILE,
    format_clock,
    format_distance,
    format_duration,
    format_pace,
)


def test_pace_is_minutes_and_seconds_per_unit() -> None:
    assert format_pace(1000 / 253) == "4:13/km"
    assert format_pace(METRES_PER_MILE / 407, imperial=True) == "6:47/mi"


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_any_speed_formats_without_raising(speed: float) -> None:
    text = format_pace(speed)
    assert text == "--" or text.endswith("/km")
    if text != "--":
        minutes, seconds = text.removesuffix("/km").split(":")
        assert abs(int(minutes) * 60 + int(seconds) - 1000 / speed) <= 0.5


def test_durations_and_distances_round_as_spoken() -> None:
    assert format_duration(45) == "45 s"
    assert format_duration(42 * 60) == "42 min"
    assert format_duration(3600 + 5 * 60) == "1:05 h"
    assert format_distance(10_000) == "10.0 km"
    assert format_distance(math.nan) == "--"


def test_a_sessions_time_keeps_its_seconds_as_a_race_result_does() -> None:
    assert format_clock(47 * 60 + 8) == "47:08"
    assert format_clock(3600 + 7 * 60 + 8) == "1:07:08"
    assert format_clock(59.6) == "1:00"
    assert format_distance(993, small_units=False) == "1.0 km"
    assert format_distance(993, imperial=True, small_units=False) == "0.6 mi"
