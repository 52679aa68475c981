"""Activities as Strava JSON: every shape parses with stravalib's own models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from stravalib import model

from tests.worker.sandbox.conftest import Harness, bearer, interval_run, strength_session
from worker.sandbox.fixtures import auto_name, detailed_activity, summary_activity
from worker.sandbox.tracks import encode_polyline

START = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)


def decode_polyline(text: str) -> list[tuple[float, float]]:
    """Google's reference decoding, written independently of the encoder under test."""
    values, shift, result = [], 0, 0
    for char in text:
        byte = ord(char) - 63
        result |= (byte & 0x1F) << shift
        shift += 5
        if byte < 0x20:
            values.append(~(result >> 1) if result & 1 else result >> 1)
            shift, result = 0, 0
    lat = lng = 0
    points = []
    for dlat, dlng in zip(values[::2], values[1::2], strict=True):
        lat, lng = lat + dlat, lng + dlng
        points.append((lat / 1e5, lng / 1e5))
    return points


def test_detailed_activity_parses_as_stravalib_detailed_activity() -> None:
    run = interval_run(START)
    detail, _ = detailed_activity(run, 99, 7, description="hello")
    parsed = model.DetailedActivity.model_validate(detail)
    assert parsed.id == 99 and parsed.athlete is not None and parsed.athlete.id == 7
    assert parsed.description == "hello"
    assert parsed.sport_type is not None and parsed.sport_type.root == "Run"
    assert parsed.start_date == START
    assert parsed.laps is not None and len(parsed.laps) == len(run.laps)
    assert parsed.splits_metric and parsed.splits_standard
    assert abs(sum(s.distance or 0 for s in parsed.splits_metric) - run.distance_m) < 1.0
    assert abs(float(parsed.distance or 0) - run.distance_m) < 0.1
    assert parsed.map is not None and parsed.map.summary_polyline


def test_laps_splits_and_summary_parse_as_stravalib_models() -> None:
    detail, _ = detailed_activity(interval_run(START), 99, 7)
    for lap in detail["laps"]:
        assert model.Lap.model_validate(lap).lap_index == lap["lap_index"]
    for split in detail["splits_metric"]:
        assert model.Split.model_validate(split).split == split["split"]
    summary = model.SummaryActivity.model_validate(summary_activity(detail))
    assert summary.id == 99 and summary.distance == detail["distance"]


def test_manual_strength_session_has_no_samples_laps_or_map() -> None:
    detail, streams = detailed_activity(strength_session(START), 5, 7)
    parsed = model.DetailedActivity.model_validate(detail)
    assert streams == {} and parsed.laps == [] and parsed.manual is True
    assert parsed.type is not None and parsed.type.root == "WeightTraining"
    assert parsed.has_heartrate is True and parsed.map is not None
    assert parsed.map.summary_polyline == ""


def test_run_without_heart_rate_says_so_and_has_no_heart_rate_stream() -> None:
    detail, streams = detailed_activity(interval_run(START, with_hr=False), 5, 7)
    assert detail["has_heartrate"] is False and "average_heartrate" not in detail
    assert "heartrate" not in streams


def test_served_streams_parse_as_stravalib_streams(harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    activity_id = harness.add_run(7)
    keys = "time,distance,latlng,altitude,velocity_smooth,heartrate,cadence,moving,grade_smooth"
    body: dict[str, Any] = harness.client.get(
        f"/api/v3/activities/{activity_id}/streams", params={"keys": keys, "key_by_type": True},
        headers=bearer(token)).json()
    streams = {k: model.Stream.model_validate(v) for k, v in body.items()}
    assert set(streams) == set(keys.split(","))
    lengths = {len(s.data or []) for s in streams.values()}
    assert len(lengths) == 1
    run_cadence = streams["cadence"].data or []
    assert max(run_cadence) < 100  # Strava's running cadence counts one leg


def test_track_polyline_decodes_to_the_latlng_stream() -> None:
    _, streams = detailed_activity(interval_run(START), 5, 7)
    decoded = decode_polyline(encode_polyline(streams["latlng"]))
    assert len(decoded) == len(streams["latlng"])
    assert all(abs(a - c) < 1e-5 and abs(b - d) < 1e-5
               for (a, b), (c, d) in zip(decoded, streams["latlng"], strict=True))


def test_polyline_encodes_googles_own_example() -> None:
    # The worked example of Google's "Encoded Polyline Algorithm Format" page.
    points = [[38.5, -120.2], [40.7, -120.95], [43.252, -126.453]]
    assert encode_polyline(points) == "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
    assert encode_polyline([]) == ""


@given(st.lists(st.tuples(st.floats(-89.9, 89.9), st.floats(-179.9, 179.9)), max_size=30))
def test_polyline_round_trips_at_five_decimals(points: list[tuple[float, float]]) -> None:
    decoded = decode_polyline(encode_polyline([[a, b] for a, b in points]))
    assert len(decoded) == len(points)
    for (a, b), (c, d) in zip(points, decoded, strict=True):
        assert abs(a - c) <= 0.5e-5 + 1e-9 and abs(b - d) <= 0.5e-5 + 1e-9


def test_title_names_the_local_part_of_the_day() -> None:
    morning_local = datetime(2024, 6, 3, 9, 30, tzinfo=UTC)  # 06:30 in São Paulo
    evening_local = datetime(2024, 6, 3, 22, 0, tzinfo=UTC)  # 19:00 there
    assert auto_name(interval_run(morning_local)) == "Morning Run"
    assert auto_name(strength_session(evening_local)) == "Evening Weight Training"
