"""Analysis time of a 10,000-point run against the time to json-decode its Strava bundle."""

from __future__ import annotations

import json
import statistics
import time
from datetime import UTC, datetime
from typing import Any

import numpy as np

from analysis import engine
from analysis.model import Workout
from analysis.parsers.bundle import parse_bundle
from analysis.synthetic import generate
from worker.sandbox.fixtures import detailed_activity

#: Samples in the benchmark run, as the issue asks.
POINTS = 10_000
REPEATS = 30


def ten_thousand_point_bundle() -> str:
    """A generated long run as Strava would serve it, its streams sampled at POINTS points."""
    rng = np.random.default_rng(7)
    start = datetime(2026, 5, 3, 7, 0, tzinfo=UTC)
    activity = generate(Workout.LONG, rng, start)
    while activity.streams is None:
        activity = generate(Workout.LONG, rng, start)
    detail, streams = detailed_activity(activity, 1, 1)
    return json.dumps({"activity": detail, "streams": _resampled(streams, POINTS)})


def _resampled(streams: dict[str, Any], points: int) -> dict[str, Any]:
    """Every stream at ``points`` samples over the same duration (denser than 1 Hz)."""
    source = np.asarray(streams["time"], dtype=float)
    target = np.linspace(source[0], source[-1], points)
    nearest = np.clip(np.searchsorted(source, target), 0, source.size - 1)
    out: dict[str, Any] = {}
    for key, stream in streams.items():
        data = stream
        if key in ("latlng", "moving"):
            values = [data[i] for i in nearest]
        else:
            values = np.round(np.interp(target, source, np.asarray(data, dtype=float)), 2).tolist()
        out[key] = {"data": values}
    return out


def _median_seconds(run: object, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure() -> dict[str, float]:
    text = ten_thousand_point_bundle()
    doc = json.loads(text)
    points = len(doc["streams"]["time"]["data"])

    def analyse() -> None:
        activity = parse_bundle(doc)
        profile = engine.profile_for([], activity)
        result = engine.analyse(activity, profile)
        engine.feedback(result, [], activity)

    decode = _median_seconds(lambda: json.loads(text))
    analysis = _median_seconds(analyse)
    return {"points": points, "bundle_bytes": len(text), "decode_ms": decode * 1000,
            "analysis_ms": analysis * 1000, "ratio": analysis / decode}


def report(figures: dict[str, float]) -> str:
    return (
        "## Analysis speed\n\n"
        f"`python -m bench.analysis_speed`: a {figures['points']:.0f}-point run "
        f"({figures['bundle_bytes'] / 1e6:.2f} MB Strava bundle), median of 30 runs each:\n\n"
        "| step | time |\n| --- | --- |\n"
        f"| json.loads of the bundle | {figures['decode_ms']:.2f} ms |\n"
        f"| analysis (parse bundle, resample, classify, load, feedback block) | "
        f"{figures['analysis_ms']:.2f} ms |\n"
        f"| ratio analysis / decode | {figures['ratio']:.2f}x (goal <= 1x) |\n"
    )


if __name__ == "__main__":
    print(report(measure()))
