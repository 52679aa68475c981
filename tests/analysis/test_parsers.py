"""Reading FIT, GPX, TCX and Strava JSON into activities, real files and broken ones."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import functools
import gzip
import json
import pickle
import re
import struct
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fitdecode  # type: ignore[import-untyped]
import gpxpy
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis.parsers as parsers
from analysis.classify import classify
from analysis.model import Activity
from analysis.parsers import ActivityFileError, fit, parse_activity, parse_sessions
from analysis.parsers.bundle import activity_from_strava, parse_bundle
from analysis.parsers.resample import RUN_MAX_SPEED_MPS
from analysis.parsers.sessions import Span, distinct, same_session
from tests.conftest import TEST_DATA
from tests.strava_bundles import strava_bundle as bundle_of
from tests.support import recordings
from tests.support.fit import FIT_START, START, fit_file

RUN_FILES = sorted(p.name for p in (TEST_DATA / "runs").glob("*"))
BAD_FILES = sorted(p.name for p in (TEST_DATA / "bad").glob("*"))


def labels(test_data: Path) -> dict[str, str]:
    with (test_data / "labels.csv").open() as f:
        return {Path(row["file"]).name: row["sport"] for row in csv.DictReader(f)}


@functools.cache
def read(path: Path) -> Activity:
    return recordings.activity(path)


def assert_sane(activity: Activity) -> None:
    assert activity.start.tzinfo is not None and activity.start.utcoffset().total_seconds() == 0
    assert activity.elapsed_s >= activity.moving_s >= 0
    assert activity.distance_m >= 0
    for hr in (activity.avg_hr, activity.max_hr):
        assert hr is None or 30 <= hr <= 230
    starts = [lap.start_s for lap in activity.laps]
    assert starts == sorted(starts)


@pytest.mark.parametrize("name", RUN_FILES)
def test_every_real_run_file_reads_as_its_labelled_sport(test_data: Path, name: str) -> None:
    activity = read(test_data / "runs" / name)
    assert activity.sport == labels(test_data).get(name, "Run")  # the unlabelled one is a run
    assert_sane(activity)


@pytest.mark.parametrize("name", RUN_FILES)
def test_streams_agree_with_the_summary_of_a_real_file(test_data: Path, name: str) -> None:
    activity = read(test_data / "runs" / name)
    streams = activity.streams
    assert streams is not None
    assert streams.distance[-1] == pytest.approx(activity.distance_m, rel=0.01)
    assert streams.time[-1] == pytest.approx(activity.elapsed_s, abs=5)
    assert np.count_nonzero(streams.moving) <= len(streams)
    if activity.laps:
        assert sum(lap.distance_m for lap in activity.laps) == pytest.approx(
            activity.distance_m, rel=0.01)
        last = activity.laps[-1]
        assert last.start_s + last.elapsed_s == pytest.approx(activity.elapsed_s, abs=5)


@pytest.mark.parametrize("path", [TEST_DATA / "runs" / name for name in (
    "gc-race-10k.fit", "fitparse-progression-run.fit", "fitparse-fenix5-walk.fit",
    "runpandas-hilly-run.fit")], ids=lambda path: path.name)
def test_the_fit_reader_keeps_what_fitdecodes_default_processing_gives(path: Path) -> None:
    """analysis.parsers.fit asks fitdecode to process only the types its default converts:
    every message read that way equals the one fitdecode's default processor gives."""
    data = path.read_bytes()
    lean = fit._read(data, path.name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fit, "_Processor", fitdecode.DefaultDataProcessor)
        default = fit._read(data, path.name)
    assert lean.records and lean == default


def test_lap_heart_rates_bracket_the_session_average(test_data: Path) -> None:
    activity = read(test_data / "runs" / "gc-intervals-4x6min.fit")
    lap_hr = [lap.avg_hr for lap in activity.laps if lap.avg_hr is not None]
    assert activity.avg_hr is not None and lap_hr
    assert min(lap_hr) <= activity.avg_hr <= max(lap_hr)
    assert activity.max_hr == max(lap.max_hr or 0 for lap in activity.laps)


def test_a_device_without_a_set_clock_is_anchored_to_its_local_time(test_data: Path) -> None:
    activity = read(test_data / "runs" / "fitparse-progression-run.fit")
    assert activity.start.date().isoformat() == "2012-02-13"
    assert activity.moving_s < activity.elapsed_s  # the watch was stopped once


def test_history_gpx_files_read_through_gzip(test_data: Path) -> None:
    files = sorted((test_data / "history").glob("*/*.gpx.gz"))
    assert files
    for path in files:
        activity = read(path)
        assert activity.sport == "Run"
        assert_sane(activity)
    for path in files[::5]:  # gpxpy's own reading is slow: a sample is enough
        activity = read(path)
        track = gpxpy.parse(gzip.decompress(path.read_bytes()))
        points = [p for t in track.tracks for seg in t.segments for p in seg.points]
        length = track.length_2d()
        assert activity.distance_m <= length + 1  # never more than gpxpy's plain sum
        jumps = [a.distance_2d(b) > RUN_MAX_SPEED_MPS * (b.time - a.time).total_seconds()
                 for a, b in zip(points, points[1:], strict=False)]
        if not any(jumps):
            # Without GPS jumps only pauses separate the two measurements.
            assert activity.distance_m == pytest.approx(length, rel=0.05)


def test_gps_jumps_do_not_turn_the_glitched_history_run_into_a_ride(test_data: Path) -> None:
    glitched = [a for a in map(read, (test_data / "history").glob("*/*.gpx.gz"))
                if a.start.date().isoformat() == "2020-09-20"]
    assert len(glitched) == 1
    assert glitched[0].speed < 5.0  # slower than 12 min for 3 km: a run, not the 22 km ride


def test_the_history_recording_left_running_overnight_still_reads(test_data: Path) -> None:
    long = [a for a in map(read, (test_data / "history").glob("*/*.gpx.gz"))
            if a.elapsed_s > 12 * 3600]
    assert long, "the history holds a 1437 min recording"
    for activity in long:
        assert activity.moving_s < 3 * 3600


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_files_give_a_one_line_error_naming_them_or_a_sane_activity(
        test_data: Path, name: str) -> None:
    try:
        activity = read(test_data / "bad" / name)
    except ActivityFileError as err:
        assert str(err).startswith(f"{name}: ")
        assert "\n" not in str(err) and err.name == name and err.reason
    else:
        assert_sane(activity)


def test_a_truncated_fit_file_says_where_it_ends_and_what_was_promised(
        test_data: Path) -> None:
    data = (test_data / "bad" / "truncated.fit").read_bytes()
    declared = data[0] + struct.unpack("<I", data[4:8])[0] + 2
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(data, "truncated.fit")
    assert str(caught.value).startswith("truncated.fit: FIT file is cut short")
    assert f"at byte {len(data)}, its header declares {declared} bytes" in str(caught.value)


@pytest.mark.parametrize("data, name, reason", [
    (b"", "empty.fit", "empty"),
    (b"<gpx><trk>", "broken.gpx", "not a readable GPX"),
    (b"<TrainingCenterDatabase", "broken.tcx", "not a readable TCX"),
    (b"{\"activity\": ", "broken.json", "not valid JSON"),
    (b"[1, 2, 3]", "list.json", "not a Strava bundle"),
    (b"{\"name\": \"x\"}", "other.json", "not a Strava bundle"),
    (b"hello", "notes.txt", "not a FIT, GPX, TCX"),
    (b"\x1f\x8b\x08\x00garbage", "run.fit.gz", "gzip"),
    (gzip.compress(b"<gpx></gpx>", mtime=0)[:-6], "run.gpx.gz", "truncated"),
    (b'<gpx version="1.1"><trk><trkseg><trkpt lat="1" lon="2"/></trkseg></trk></gpx>',
     "untimed.gpx", "no track point with a time"),
    (b'<gpx version="1.1"><trk><trkseg><trkpt lat="1" lon="2"><time>1990-01-01T00:00:00Z</time>'
     b'</trkpt><trkpt lat="1" lon="2"><time>2024-01-01T00:00:00Z</time></trkpt></trkseg></trk>'
     b"</gpx>", "decades.gpx", "span"),
    (b'<TrainingCenterDatabase><Activities><Activity Sport="Running"><Lap StartTime="soon">'
     b"<TotalTimeSeconds>60</TotalTimeSeconds></Lap></Activity></Activities>"
     b"</TrainingCenterDatabase>", "undated.tcx", "no track point and no lap with a time"),
    (b'<TrainingCenterDatabase><Activities><Activity Sport="Running">'
     b'<Lap StartTime="2020-01-01T00:00:00Z"><TotalTimeSeconds>60</TotalTimeSeconds></Lap>'
     b'<Lap StartTime="2024-01-01T00:00:00Z"><TotalTimeSeconds>60</TotalTimeSeconds></Lap>'
     b"</Activity></Activities></TrainingCenterDatabase>", "years.tcx", "laps span"),
])
def test_broken_input_gives_a_precise_reason(data: bytes, name: str, reason: str) -> None:
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(data, name)
    assert caught.value.name == name and reason in caught.value.reason


def test_activity_file_errors_survive_pickling() -> None:
    err = pickle.loads(pickle.dumps(ActivityFileError("a.fit", "broken")))
    assert (err.name, err.reason, str(err)) == ("a.fit", "broken", "a.fit: broken")


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300),
       name=st.sampled_from(["a.fit", "a.gpx", "a.tcx", "a.json", "a.fit.gz", "a.dat"]))
def test_random_bytes_never_raise_anything_but_activity_file_error(data: bytes, name: str) -> None:
    with contextlib.suppress(ActivityFileError):
        parse_activity(data, name)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(0, 5186), flips=st.lists(st.tuples(st.integers(0, 5186),
                                                           st.integers(1, 255)), max_size=3))
def test_damaged_fit_files_never_raise_anything_but_activity_file_error(
        cut: int, flips: list[tuple[int, int]]) -> None:
    path = TEST_DATA / "runs" / "fitparse-fenix5-walk.fit"
    data = bytearray(path.read_bytes()[:cut] if cut else path.read_bytes())
    for at, mask in flips:
        if at < len(data):
            data[at] ^= mask
    with contextlib.suppress(ActivityFileError):
        assert_sane(parse_activity(bytes(data), "walk.fit"))


def test_a_gzip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsers, "MAX_DECOMPRESSED_BYTES", 1000)
    with pytest.raises(ActivityFileError, match="decompresses to more than"):
        parse_activity(gzip.compress(b"\0" * 5000), "bomb.gpx.gz")


def test_content_decides_when_the_suffix_says_nothing(test_data: Path) -> None:
    path = test_data / "runs" / "fitparse-fenix5-walk.fit"
    by_suffix = read(path)
    by_content = parse_activity(gzip.compress(path.read_bytes()), "upload.bin")
    assert by_content.distance_m == by_suffix.distance_m and by_content.sport == "Walk"


# GPX and TCX written in the test, so every value checked is one the test chose.

GPX_POINT = ('<trkpt lat="{lat}" lon="4.0"><ele>{ele}</ele><time>{time}</time><extensions>'
             '<gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr><gpxtpx:cad>{cad}</gpxtpx:cad>'
             '</gpxtpx:TrackPointExtension></extensions></trkpt>')


def gpx_document(kind: str, hr: list[int]) -> bytes:
    points = "".join(GPX_POINT.format(lat=52 + i * 3e-5, ele=10 + i * 0.1, hr=h, cad=85,
                                      time=f"2024-03-01T08:00:{i:02d}Z")
                     for i, h in enumerate(hr))
    return (f'<?xml version="1.0"?><gpx version="1.1" creator="test" '
            'xmlns="http://www.topografix.com/GPX/1/1" '
            'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
            f'<trk><name>Morning</name><type>{kind}</type><trkseg>{points}</trkseg></trk>'
            '</gpx>').encode()


@pytest.mark.parametrize("kind, sport", [("running", "Run"), ("9", "Run"), ("1", "Ride"),
                                         ("cycling", "Ride"), ("trail_running", "TrailRun"),
                                         ("hiking", "Hike"), ("", "Run"),
                                         ("backcountry_skiing", "BackcountrySki"),
                                         ("Cross-country skiing", "NordicSki"),
                                         ("bouldering", "RockClimbing")])
def test_gpx_type_names_the_sport(kind: str, sport: str) -> None:
    assert parse_activity(gpx_document(kind, [120] * 10), "a.gpx").sport == sport


def test_gpx_heart_rate_and_cadence_come_from_garmin_extensions() -> None:
    hr = [100 + 2 * i for i in range(30)]
    activity = parse_activity(gpx_document("running", hr), "a.gpx")
    streams = activity.streams
    assert streams is not None and streams.heartrate is not None
    assert streams.heartrate.tolist() == hr
    assert streams.cadence is not None and set(streams.cadence.tolist()) == {170.0}
    assert activity.name == "Morning"
    assert activity.start == datetime(2024, 3, 1, 8, tzinfo=UTC)


def tcx_document(sport: str, laps: list[list[tuple[int, float, int]]],
                 lap_distances: list[float] | None = None) -> bytes:
    def point(second: int, distance: float, hr: int) -> str:
        return (f"<Trackpoint><Time>2024-03-01T08:{second // 60:02d}:{second % 60:02d}Z</Time>"
                f"<DistanceMeters>{distance}</DistanceMeters>"
                f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm></Trackpoint>")
    distances = lap_distances or [lap[-1][1] - lap[0][1] for lap in laps]
    body = "".join(
        f'<Lap StartTime="2024-03-01T08:00:00Z"><TotalTimeSeconds>1</TotalTimeSeconds>'
        f"<DistanceMeters>{distance}</DistanceMeters>"
        f"<Track>{''.join(point(*p) for p in lap)}</Track></Lap>"
        for lap, distance in zip(laps, distances, strict=True))
    return ('<?xml version="1.0"?><TrainingCenterDatabase '
            'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
            f'<Activities><Activity Sport="{sport}"><Id>x</Id>{body}</Activity></Activities>'
            "</TrainingCenterDatabase>").encode()


def test_tcx_laps_sport_and_heart_rate_are_read() -> None:
    first = [(s, 5.0 * s, 130) for s in range(0, 121)]
    second = [(s, 5.0 * s, 160) for s in range(121, 301)]
    activity = parse_activity(tcx_document("Biking", [first, second]), "ride.tcx")
    assert activity.sport == "Ride"
    assert [lap.start_s for lap in activity.laps] == [0.0, 121.0]
    assert [lap.avg_hr for lap in activity.laps] == [130.0, 160.0]
    assert activity.distance_m == pytest.approx(sum(lap.distance_m for lap in activity.laps))
    assert activity.elapsed_s == 300.0


def test_a_tcx_laps_distance_its_track_points_contradict_gives_way_to_them() -> None:
    first = [(s, 3.0 * s, 150) for s in range(0, 601)]
    second = [(s, 3.0 * s, 150) for s in range(601, 1201)]
    activity = parse_activity(tcx_document("Running", [first, second], [17.42, 1805.0]),
                              "run.tcx")
    first_lap, second_lap = (lap.distance_m for lap in activity.laps)
    assert first_lap == pytest.approx(1800.0, abs=3.0)  # the points', to the next lap's first
    assert second_lap == 1805.0
    assert activity.distance_m == pytest.approx(first_lap + second_lap)


@pytest.mark.parametrize("recorded", [1750.0, 1810.0, 2300.0])
def test_a_tcx_laps_own_distance_is_kept_where_its_track_points_roughly_agree(
    recorded: float,
) -> None:
    points = [(s, 3.0 * s, 150) for s in range(0, 601)]
    activity = parse_activity(tcx_document("Running", [points], [recorded]), "run.tcx")
    assert activity.laps[0].distance_m == activity.distance_m == recorded


def test_a_tcx_laps_distance_stands_over_sparse_points_that_carry_positions_only() -> None:
    """Three points 10 m apart in a lap the device measured at 300 m: positions alone cover
    less than was run where they are sparse, so they do not overrule the lap."""
    points = "".join(
        f"<Trackpoint><Time>2024-03-01T08:00:{second:02d}Z</Time><Position>"
        f"<LatitudeDegrees>{48.0 + index * 0.00009:.6f}</LatitudeDegrees>"
        "<LongitudeDegrees>11.0</LongitudeDegrees></Position></Trackpoint>"
        for index, second in enumerate((0, 40, 90)))
    document = ('<?xml version="1.0"?><TrainingCenterDatabase '
                'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
                '<Activities><Activity Sport="Running"><Id>x</Id>'
                '<Lap StartTime="2024-03-01T08:00:00Z"><TotalTimeSeconds>96</TotalTimeSeconds>'
                f"<DistanceMeters>300</DistanceMeters><Track>{points}</Track></Lap>"
                "</Activity></Activities></TrainingCenterDatabase>").encode()
    activity = parse_activity(document, "run.tcx")
    assert activity.laps[0].distance_m == activity.distance_m == 300.0


def test_a_real_tcx_whose_lap_says_17_m_for_10_km_of_track_points_reads_as_10_km(
    test_data: Path,
) -> None:
    activity = read(test_data / "blind-2026-12z" / "ot-activity_282135708.tcx.gz")
    assert activity.distance_m == pytest.approx(10_000.0, abs=20.0)  # the last point: 10,006 m
    assert activity.laps[0].distance_m == pytest.approx(activity.distance_m)


# FIT files assembled in the test: header, definitions, data, CRC (FIT SDK, "FIT File Types").


def session(sport: int, sub_sport: int) -> tuple[str, dict[str, float]]:
    return ("session", {"start_time": FIT_START, "sport": sport, "sub_sport": sub_sport,
                        "total_elapsed_time": 1800, "total_timer_time": 1700,
                        "total_distance": 5000, "avg_heart_rate": 150})


@pytest.mark.parametrize("sport, sub_sport, expected, trainer", [
    (1, 0, "Run", False), (1, 1, "Run", True), (1, 3, "TrailRun", False), (2, 0, "Ride", False),
    (11, 0, "Walk", False), (17, 0, "Hike", False), (10, 20, "WeightTraining", False),
    (5, 0, "Swim", False), (48, 0, "Workout", False),
    (12, 0, "NordicSki", False), (13, 0, "AlpineSki", False), (13, 37, "BackcountrySki", False),
    (14, 0, "Snowboard", False), (31, 69, "RockClimbing", False), (31, 68, "RockClimbing", True),
])
def test_fit_sport_and_sub_sport_become_strava_sport_types(
        sport: int, sub_sport: int, expected: str, trainer: bool) -> None:
    activity = parse_activity(fit_file([("file_id", {"type": 4}), session(sport, sub_sport)]),
                              "a.fit")
    assert (activity.sport, activity.trainer) == (expected, trainer)


def test_a_fit_session_without_records_gives_totals_without_streams() -> None:
    activity = parse_activity(fit_file([("file_id", {"type": 4}), session(1, 0)]), "a.fit")
    assert activity.streams is None
    assert (activity.start, activity.elapsed_s, activity.moving_s, activity.distance_m,
            activity.avg_hr) == (START, 1800.0, 1700.0, 5000.0, 150.0)


def test_fit_records_without_a_session_are_summed_from_the_streams() -> None:
    records = [("record", {"timestamp": FIT_START + s, "distance": 3.0 * s, "heart_rate": 140})
               for s in range(0, 601, 2)]
    activity = parse_activity(fit_file([("file_id", {"type": 4}), *records]), "a.fit")
    assert (activity.sport, activity.start, activity.elapsed_s) == ("Workout", START, 600.0)
    assert activity.distance_m == pytest.approx(1800.0)
    assert activity.avg_hr == 140.0


def test_a_fit_file_with_neither_session_nor_records_is_an_error() -> None:
    with pytest.raises(ActivityFileError, match="neither a session summary nor records"):
        parse_activity(fit_file([("file_id", {"type": 4})]), "empty.fit")


# Strava bundles built in the test from arrays it knows.

def strava_bundle(n: int = 600) -> dict:
    t = np.arange(n) * 2
    d = t * 3.0
    return {
        "activity": {
            "id": 7, "name": "Lunch Run", "sport_type": "Run", "type": "Run",
            "start_date": "2024-03-01T08:00:00Z", "elapsed_time": int(t[-1]),
            "moving_time": int(t[-1]) - 10, "distance": float(d[-1]),
            "total_elevation_gain": 12.5, "average_heartrate": 151.2, "max_heartrate": 170.0,
            "workout_type": 3, "manual": False, "trainer": False,
            "laps": [{"elapsed_time": 600, "moving_time": 600, "distance": 1800.0,
                      "start_index": 0, "average_heartrate": 140.0, "max_heartrate": 150.0},
                     {"elapsed_time": int(t[-1]) - 600, "moving_time": int(t[-1]) - 610,
                      "distance": float(d[-1]) - 1800.0, "start_index": 300,
                      "start_date": "2024-03-01T08:10:00Z"}],
            "splits_metric": [{"distance": 1000.0, "elapsed_time": 333, "moving_time": 330,
                               "elevation_difference": 4.0, "average_heartrate": 141.0},
                              {"distance": 1000.0, "elapsed_time": 334, "moving_time": 334,
                               "elevation_difference": -2.0}],
        },
        "streams": {"time": {"data": t.tolist()}, "distance": {"data": d.tolist()},
                    "heartrate": {"data": [150] * n}, "cadence": {"data": [86] * n},
                    "altitude": {"data": (5 + d / 100).tolist()},
                    "latlng": {"data": [[52.0 + x / 111_195, 4.0] for x in d]},
                    "velocity_smooth": {"data": [3.0] * n}, "moving": {"data": [True] * n}},
    }


def test_a_strava_bundle_round_trips_into_an_activity() -> None:
    doc = strava_bundle()
    detailed, t = doc["activity"], doc["streams"]["time"]["data"]
    activity = parse_bundle(doc)
    assert (activity.sport, activity.name, activity.workout_type) == ("Run", "Lunch Run", 3)
    assert activity.start == START
    assert (activity.elapsed_s, activity.moving_s, activity.distance_m) == (
        detailed["elapsed_time"], detailed["moving_time"], detailed["distance"])
    assert [lap.start_s for lap in activity.laps] == [0.0, float(t[300])]
    assert [s.ascent_m for s in activity.splits] == [4.0, None]
    assert [s.start_s for s in activity.splits] == [0.0, 333.0]
    streams = activity.streams
    assert streams is not None and len(streams) == t[-1] + 1
    assert streams.distance[-1] == pytest.approx(detailed["distance"])
    assert streams.cadence is not None and np.nanmax(streams.cadence) == 2 * 86


def test_strava_list_streams_read_like_keyed_streams() -> None:
    doc = strava_bundle()
    keyed = parse_bundle(doc).streams
    doc["streams"] = [{"type": k, **v} for k, v in doc["streams"].items()]
    listed = parse_bundle(doc).streams
    assert keyed is not None and listed is not None
    assert np.array_equal(keyed.distance, listed.distance)
    assert np.array_equal(keyed.heartrate, listed.heartrate, equal_nan=True)


def test_a_bare_detailed_activity_reads_without_streams() -> None:
    detailed = strava_bundle()["activity"]
    from_json = parse_activity(json.dumps(detailed).encode(), "activity.json")
    assert from_json.streams is None
    assert from_json.distance_m == detailed["distance"]
    assert activity_from_strava(detailed).laps == from_json.laps


def test_strava_nulls_in_streams_are_gaps_not_errors() -> None:
    doc = strava_bundle()
    hr = doc["streams"]["heartrate"]["data"]
    hr[10:13] = [None] * 3  # 8 s without a beat: bridged
    hr[100:120] = [None] * 20  # 42 s: the strap was off
    doc["streams"]["latlng"]["data"][5] = None
    streams = parse_bundle(doc).streams
    assert streams is not None and streams.heartrate is not None
    assert np.isfinite(streams.heartrate[:190]).all()
    assert np.isnan(streams.heartrate[200:238]).all()


@pytest.mark.parametrize("change, reason", [
    (lambda d: d["activity"].update(distance="far"), "distance"),
    (lambda d: d["activity"].pop("start_date"), "start_date"),
    (lambda d: d["streams"]["heartrate"]["data"].pop(), "differ in length"),
])
def test_malformed_strava_fields_are_named(change, reason: str) -> None:
    doc = strava_bundle()
    change(doc)
    with pytest.raises(ActivityFileError, match=reason) as caught:
        parse_bundle(doc, name="a.json")
    assert caught.value.name == "a.json"


def test_a_10000_point_bundle_parses_in_milliseconds() -> None:
    doc = strava_bundle(10_000)
    doc["streams"]["time"]["data"] = list(range(10_000))
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        parse_bundle(doc)
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.05


# Class 2 of issue 12: a clock that jumps for a sample must not cost the recording.
def _with_time_jumps(text: str, tag: str) -> str:
    """The recording with one sample's time days ahead and the first a day behind."""
    times = re.findall(f"<{tag}>([^<]+)</{tag}>", text)
    middle, first = times[len(times) // 2], times[0]
    ahead = (datetime.fromisoformat(middle.replace("Z", "+00:00")) + timedelta(days=3))
    behind = (datetime.fromisoformat(first.replace("Z", "+00:00")) - timedelta(days=1))
    text = text.replace(f"<{tag}>{middle}<", f"<{tag}>{ahead:%Y-%m-%dT%H:%M:%SZ}<", 1)
    return text.replace(f"<{tag}>{first}<", f"<{tag}>{behind:%Y-%m-%dT%H:%M:%SZ}<", 1)


@pytest.mark.parametrize(("path", "tag"), [
    ("history/runpandas-athlete/00978fad-85f8-4f1c-be44-2b7146ccbf76.gpx.gz", "time"),
    ("runs/runpandas-steady-11km.tcx.gz", "Time"),
])
def test_a_timestamp_days_off_drops_that_sample_and_keeps_the_recording(
        test_data: Path, path: str, tag: str) -> None:
    original = gzip.decompress((test_data / path).read_bytes()).decode()
    inner = Path(path).name.removesuffix(".gz")
    clean = parse_activity(original.encode(), inner)
    glitched = parse_activity(_with_time_jumps(original, tag).encode(), inner)
    assert abs((glitched.start - clean.start).total_seconds()) <= 10  # the next sample's
    assert glitched.elapsed_s == pytest.approx(clean.elapsed_s, abs=10)
    assert glitched.distance_m == pytest.approx(clean.distance_m, rel=0.01)
    assert glitched.moving_s == pytest.approx(clean.moving_s, abs=10)


# Class 10 of issue 12: a TCX of lap summaries alone is still an activity.
def test_a_tcx_with_laps_but_no_track_points_is_read_from_its_laps(test_data: Path) -> None:
    full = gzip.decompress((test_data / "runs" / "runpandas-steady-11km.tcx.gz").read_bytes())
    laps_only = re.sub(rb"<Track>.*?</Track>", b"", full, flags=re.DOTALL)
    assert b"<Trackpoint>" not in laps_only
    tracked = parse_activity(full, "steady.tcx")
    summed = parse_activity(laps_only, "steady.tcx")
    assert summed.sport == "Run" and summed.streams is None
    assert abs((summed.start - tracked.start).total_seconds()) <= 5  # StartTime, first point
    assert len(summed.laps) == 12
    assert summed.distance_m == pytest.approx(tracked.distance_m, rel=0.001)
    assert summed.moving_s == pytest.approx(tracked.moving_s, rel=0.03)
    assert summed.avg_hr == pytest.approx(tracked.avg_hr, abs=3)
    assert [lap.avg_hr for lap in summed.laps] == [
        float(v) for v in re.findall(rb"<AverageHeartRateBpm>\s*<Value>(\d+)", full)]


# Class 7 of issue 12: a file of several sessions is read session by session.
def test_a_triathlon_fit_reads_as_its_three_legs_without_the_transitions(
        test_data: Path) -> None:
    path = test_data / "sessions" / "muktihari-triathlon_summary_last.fit"
    legs = recordings.sessions(path)  # parse_sessions, once per run
    assert [leg.sport for leg in legs] == ["Swim", "Ride", "Run"]
    assert [round(leg.distance_m / 100) for leg in legs] == [5, 135, 45]  # 513 m, 13.5 km, 4.5 km
    assert all(leg.streams is not None and leg.laps for leg in legs)
    assert legs[0].start < legs[1].start < legs[2].start
    assert legs[2].avg_hr == pytest.approx(168, abs=2)
    whole = read(path)
    assert whole.sport == "Multisport"
    assert whole.distance_m == pytest.approx(sum(leg.distance_m for leg in legs), rel=0.02)


def test_a_tcx_with_two_runs_eight_hours_apart_reads_as_two_sessions(test_data: Path) -> None:
    path = test_data / "sessions" / "sportstracker-Edge705-Running-Heartrate-2Laps.tcx.gz"
    morning, evening = parse_sessions(path.read_bytes(), path.name)
    assert (evening.start - morning.start).total_seconds() > 8 * 3600
    assert morning.distance_m == pytest.approx(10618, abs=5)
    assert evening.distance_m == pytest.approx(8372, abs=5)
    assert morning.elapsed_s < 3600 and evening.elapsed_s < 3600
    assert len(parse_sessions(path.read_bytes(), path.name)) == 2


def test_a_gpx_holding_two_runs_on_different_days_reads_as_two_sessions(
        test_data: Path) -> None:
    folder = test_data / "history" / "runpandas-athlete"
    first, second = (gzip.decompress((folder / f"{name}.gpx.gz").read_bytes()).decode()
                     for name in ("0da79b1d-dc15-4589-afff-aba4497ea626",
                                  "00978fad-85f8-4f1c-be44-2b7146ccbf76"))
    track = re.search(r"<trk>.*</trk>", second, flags=re.DOTALL)
    assert track is not None
    both = first.replace("</trk>", "</trk>" + track.group(0), 1).encode()
    runs = parse_sessions(both, "two.gpx")
    alone = [parse_activity(t.encode(), "one.gpx") for t in (first, second)]
    assert [r.start for r in runs] == [a.start for a in alone]
    assert [round(r.distance_m) for r in runs] == [round(a.distance_m) for a in alone]


def test_a_file_of_one_session_reads_the_same_whole_or_by_session(test_data: Path) -> None:
    path = test_data / "runs" / "gc-intervals-4x6min.fit"
    (session,) = parse_sessions(path.read_bytes(), path.name)
    assert session.distance_m == read(path).distance_m and session.laps == read(path).laps


# Class 11 of issue 12: one session recorded twice is one session.
def test_a_run_and_its_strava_copy_are_one_session_and_other_runs_are_not(
        test_data: Path) -> None:
    run = read(test_data / "runs" / "gc-fr920-run.fit")
    copy = parse_bundle(json.loads(json.dumps(bundle_of(run))))
    other = read(test_data / "runs" / "gc-hrv-run.fit")
    assert same_session(Span.of(run), Span.of(copy))
    assert not same_session(Span.of(run), Span.of(other))
    assert distinct([copy, other, run]) == sorted([run, other], key=lambda a: a.start)


# Class 9 of issue 12: the worker reads Strava's shapes; they must give the file's verdict.
@pytest.mark.parametrize("name", RUN_FILES)
def test_a_real_recording_as_a_strava_bundle_gets_the_verdict_of_the_file(
        test_data: Path, name: str) -> None:
    activity = read(test_data / "runs" / name)
    bundle = parse_bundle(json.loads(json.dumps(bundle_of(activity))), name)
    from_file, from_bundle = classify(activity), classify(bundle)
    assert from_bundle.workout == from_file.workout, (from_file.evidence, from_bundle.evidence)
    assert bundle.distance_m == pytest.approx(activity.distance_m, abs=1)
    assert bundle.moving_s == pytest.approx(activity.moving_s, abs=1)


def test_two_real_runs_chained_in_one_fit_file_read_as_two_sessions(test_data: Path) -> None:
    names = ("gc-hrv-run.fit", "gc-fr920-run.fit")
    chained = b"".join((test_data / "runs" / name).read_bytes() for name in names)
    runs = parse_sessions(chained, "two.fit")
    alone = sorted((read(test_data / "runs" / name) for name in names), key=lambda a: a.start)
    assert [(r.start, r.distance_m, len(r.laps)) for r in runs] == [
        (a.start, a.distance_m, len(a.laps)) for a in alone]


def test_a_fit_session_whose_records_break_for_100_minutes_reads_as_two_runs() -> None:
    def records(first_s: int, count: int, start_m: float) -> list[tuple[str, dict[str, float]]]:
        return [("record", {"timestamp": FIT_START + first_s + s, "distance": start_m + 3.0 * s,
                            "heart_rate": 140}) for s in range(0, count, 2)]
    gap_s = 100 * 60
    one_session = ("session", {"start_time": FIT_START, "sport": 1, "sub_sport": 0,
                               "total_elapsed_time": 1200 + gap_s, "total_timer_time": 1200,
                               "total_distance": 3600, "avg_heart_rate": 140})
    data = fit_file([("file_id", {"type": 4}), *records(0, 601, 0.0),
                     *records(600 + gap_s, 601, 1800.0), one_session])
    first, second = parse_sessions(data, "two.fit")
    assert (first.sport, first.start, first.elapsed_s) == ("Run", START, 600.0)
    assert second.start == START + timedelta(seconds=600 + gap_s)
    assert first.distance_m == pytest.approx(1800.0) and second.distance_m == pytest.approx(1800.0)
    assert len(parse_sessions(fit_file([("file_id", {"type": 4}), *records(0, 601, 0.0),
                                        one_session]), "one.fit")) == 1


@pytest.mark.parametrize("lead", [b"          ", b"\n\t \r\n", b"\xef\xbb\xbf  "])
def test_an_xml_file_with_spaces_or_a_byte_order_mark_before_its_declaration_is_read(
        lead: bytes) -> None:
    laps = [[(s, 3.0 * s, 140) for s in range(0, 601)]]
    activity = parse_activity(lead + tcx_document("Running", laps), "run.tcx")
    assert activity.distance_m == pytest.approx(1800.0)
    gpx = gpxpy.gpx.GPX()
    segment = gpxpy.gpx.GPXTrackSegment([gpxpy.gpx.GPXTrackPoint(
        47.0 + s * 2.7e-5, 8.0, time=datetime(2024, 5, 1, tzinfo=UTC) + timedelta(seconds=s))
        for s in range(0, 601, 5)])
    track = gpxpy.gpx.GPXTrack()
    track.segments.append(segment)
    gpx.tracks.append(track)
    read = parse_activity(lead + gpx.to_xml().encode(), "run.gpx")
    assert read.elapsed_s == 600.0


def test_a_real_tcx_whose_declaration_follows_spaces_is_read(test_data: Path) -> None:
    path = test_data / "blind-2026-12" / "runv-sample.tcx.gz"
    text = gzip.decompress(path.read_bytes())
    activity = parse_activity(path.read_bytes(), path.name)
    assert text.startswith(b" ")
    assert activity.sport == "Run"
    assert len(activity.laps) == text.count(b"<Lap ")
    assert activity.distance_m == pytest.approx(sum(lap.distance_m for lap in activity.laps))


def same(a: object, b: object) -> bool:
    """Whether two parsed values hold the same data, arrays compared element by element."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.array_equal(a, b, equal_nan=True))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(
            same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, tuple | list):
        return isinstance(b, tuple | list) and len(a) == len(b) and all(
            same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


#: A recording of each format, two phone runs with stretches at a vehicle's speed, and two
#: files of several sessions (read whole and by session from one decoding of the file).
READ_ONCE = [TEST_DATA / "real" / name for name in (
    "elevate-bloemendaal.fit", "trackeR-2013-06-19-175630.TCX.gz")] + [
    TEST_DATA / "history" / "runpandas-athlete" / name for name in (
        "eea8fa30-e280-472f-9262-5690fb40fb32.gpx.gz",
        "720bf570-d855-4303-87c2-74d85429e52d.gpx.gz")] + [
    TEST_DATA / "sessions" / name for name in (
        "muktihari-triathlon_summary_last.fit",
        "sportstracker-Edge705-Running-Heartrate-2Laps.tcx.gz")]


@pytest.mark.parametrize("path", READ_ONCE, ids=lambda p: p.name)
def test_the_tests_read_a_recording_as_the_parser_does(path: Path) -> None:
    # tests/support/recordings derives parse_activity's answer from the raw recording it reads
    # once, and reads the file raw and by session from one decoding of it; they must stay the
    # parsers' answers.
    data = path.read_bytes()
    assert same(recordings.activity(path), parse_activity(data, path.name))
    assert same(list(recordings.sessions(path)), parse_sessions(data, path.name))
