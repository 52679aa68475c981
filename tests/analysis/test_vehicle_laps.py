"""A device's laps and Strava's laps and splits lose what the streams lose at a vehicle's
speed, and without streams such laps leave the totals themselves: no lap, split or
sentence holds a speed nobody ran (issue 20: "A device's own laps and Strava's splits keep
vehicle distance")."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from analysis import engine, parsers
from analysis.model import Activity
from analysis.parsers.bundle import activity_from_strava
from analysis.plausibility import ON_FOOT, VEHICLE_SPEED
from analysis.profile import default_profile
from tests.support import recordings
from tests.support.recordings import files, raw

DATA = Path(__file__).resolve().parents[1] / "data"
ATHLETE = DATA / "history" / "runpandas-athlete"
#: Phone-GPS runs of the runpandas athlete with 2 km and 4.7 km covered at a vehicle's speed.
JUMPED = ("eea8fa30-e280-472f-9262-5690fb40fb32.gpx.gz",
          "720bf570-d855-4303-87c2-74d85429e52d.gpx.gz")
NOTE = "left out: faster than on foot"
#: A pace as the block writes it (min:ss per km).
PACE = re.compile(r"(\d+):(\d\d)/km")


def strava(run: Activity, *, streams: bool) -> dict[str, Any]:
    """``run`` as Strava would hand it over: a lap and a split every kilometre of the track
    as recorded (a watch's auto-laps), its totals, and its time and distance streams."""
    s = run.streams
    assert s is not None
    marks = np.searchsorted(s.distance, np.arange(1000.0, s.distance[-1], 1000.0))
    bounds = [0, *marks.tolist(), len(s) - 1]
    pieces = [{"distance": float(s.distance[b] - s.distance[a]), "elapsed_time": b - a,
               "moving_time": int(np.count_nonzero(s.moving[a:b]))}
              for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    detailed = {"id": 7, "sport_type": "Run", "start_date": run.start.isoformat(),
                "elapsed_time": run.elapsed_s, "moving_time": run.moving_s,
                "distance": run.distance_m, "name": "Morning Run",
                "laps": [p | {"start_index": a} for p, a in zip(pieces, bounds, strict=False)],
                "splits_metric": pieces}
    series = {"time": {"data": s.time.tolist()}, "distance": {"data": s.distance.tolist()}}
    return {"activity": detailed, "streams": series if streams else None}


def paces(text: str) -> list[float]:
    """Every pace the text quotes, as a speed in m/s."""
    return [1000.0 / (60 * int(m) + int(s)) for m, s in PACE.findall(text)]


@pytest.mark.parametrize("name", JUMPED)
@pytest.mark.parametrize("streams", [True, False], ids=["streams", "summary"])
def test_strava_laps_of_a_real_run_lose_its_vehicle_distance(name: str, streams: bool) -> None:
    recorded = raw(ATHLETE / name)
    bundle = strava(recorded, streams=streams)
    assert any(lap["distance"] / lap["moving_time"] > VEHICLE_SPEED
               for lap in bundle["activity"]["laps"] if lap["moving_time"])
    run = activity_from_strava(bundle["activity"], bundle["streams"])
    # a kilometre's lap at least, without the streams to tell where the vehicle was
    assert run.left_out is not None and run.left_out.distance_m >= 950
    assert run.laps and run.splits
    assert all(lap.speed <= VEHICLE_SPEED for lap in (*run.laps, *run.splits))
    # the laps add up to the distance the run keeps, give or take a lap set aside
    assert sum(lap.distance_m for lap in run.laps) <= run.distance_m + 1.0
    assert run.distance_m < recorded.distance_m - run.left_out.distance_m + 1.0
    analysis = engine.analyse(run, default_profile(), activity_id=7)
    block = " ".join(engine.feedback(analysis, [], run).split())
    assert block.count(NOTE) == 1
    assert all(speed <= VEHICLE_SPEED for speed in paces(block))


@pytest.mark.parametrize("path", files(), ids=lambda p: p.name)
def test_no_lap_of_a_real_run_from_strava_is_faster_than_anyone_on_foot(path: Path) -> None:
    try:
        recorded = raw(path)
    except parsers.ActivityFileError:
        pytest.skip("not a readable recording")
    if recorded.sport not in ON_FOOT or recorded.streams is None or len(recorded.streams) < 2:
        return
    for streams in (True, False):
        bundle = strava(recorded, streams=streams)
        run = activity_from_strava(bundle["activity"], bundle["streams"])
        whole = run.distance_m == recorded.distance_m and run.left_out is None and \
            len(run.laps) == len(bundle["activity"]["laps"])
        if not whole:
            assert all(lap.speed <= VEHICLE_SPEED for lap in (*run.laps, *run.splits))
            assert run.distance_m <= recorded.distance_m


@pytest.mark.parametrize("path", [p for p in files() if p.parent.name != "bad"],
                         ids=lambda p: p.name)
def test_no_block_of_a_real_run_quotes_a_pace_faster_than_anyone_on_foot(path: Path) -> None:
    try:
        sessions = recordings.sessions(path)
    except parsers.ActivityFileError:
        pytest.skip("not a readable recording")
    for run in sessions:
        if run.sport not in ON_FOOT:
            continue
        analysis = engine.analyse(run, default_profile(), activity_id=1)
        block = " ".join(engine.feedback(analysis, [], run).split())
        assert all(speed <= VEHICLE_SPEED for speed in paces(block)), block
