"""A swim's load is its swimming, the rests at the wall being recovery, and its record keeps
the time it lasted beside it, whether it came from the device's laps or from Strava's
summary (issue 20: "A swim's load and weekly time are its moving time")."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import engine
from analysis.classify import SWIM_REST_S
from analysis.load import trimp
from analysis.model import Activity, Lap
from analysis.parsers import parse_activity
from analysis.profile import default_profile
from analysis.units import format_duration
from analysis.voice import DEFAULT

SWIM = Path(__file__).resolve().parents[1] / "data" / "blind-2026-12" / \
    "gc-AleV_Swim_2015-02-09-16-15.fit"


def as_strava_gives_it(swim: Activity) -> Activity:
    """The swim as Strava's summary gives it: no laps, a moving time without the rests."""
    swimming = sum(lap.elapsed_s for lap in swim.laps if lap.distance_m > 0)
    return replace(swim, laps=(), streams=None, moving_s=swimming)


def test_a_real_pool_swim_weighs_its_swimming_from_its_laps_as_from_strava() -> None:
    swim = parse_activity(SWIM.read_bytes(), SWIM.name)
    swimming = sum(lap.elapsed_s for lap in swim.laps if lap.distance_m > 0)
    assert swim.elapsed_s - swimming >= SWIM_REST_S
    records = [engine.analyse(s, default_profile(), activity_id=1).record
               for s in (swim, as_strava_gives_it(swim))]
    for record in records:
        assert record.moving_s == pytest.approx(swimming)
        assert record.elapsed_s == pytest.approx(swim.elapsed_s)
    assert records[0].load == pytest.approx(records[1].load)
    block = engine.feedback(engine.analyse(swim, default_profile(), activity_id=1), [], swim)
    assert f"{format_duration(swim.elapsed_s)}, {DEFAULT.clock(swimming)} swimming" in block


@settings(max_examples=50, deadline=None)
@given(st.floats(600, 7200), st.floats(SWIM_REST_S, 1800), st.floats(500, 6000))
def test_a_swims_rests_add_no_load_and_stay_in_the_time_it_lasted(
    swum_s: float, rest_s: float, metres: float
) -> None:
    start = datetime(2024, 6, 1, 7, tzinfo=UTC)
    laps = (Lap(0.0, swum_s, swum_s, metres), Lap(swum_s, rest_s, rest_s, 0.0))
    from_laps = Activity("Swim", start, elapsed_s=swum_s + rest_s, moving_s=swum_s + rest_s,
                         distance_m=metres, laps=laps)
    from_strava = replace(from_laps, laps=(), moving_s=swum_s)
    without_rests = replace(from_strava, elapsed_s=swum_s)
    profile = default_profile()
    loads = [trimp(s, profile) for s in (from_laps, from_strava, without_rests)]
    assert loads[0] == pytest.approx(loads[2]) and loads[1] == pytest.approx(loads[2])
    for swim in (from_laps, from_strava):
        record = engine.analyse(swim, profile, activity_id=1).record
        assert record.moving_s == pytest.approx(swum_s)
        assert record.elapsed_s == pytest.approx(swum_s + rest_s)
