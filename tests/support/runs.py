"""Runs built by hand at 1 Hz for the classifier's tests: from parts of so many seconds at a
speed and a gradient, with GPS jitter, a heart rate that follows the effort, and laps."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from analysis.model import Activity, Lap, Streams
from analysis.profile import default_profile

START = datetime(2024, 6, 1, 7, 0, tzinfo=UTC)
PROFILE = default_profile()
EASY = PROFILE.easy_speed
THRESHOLD = PROFILE.threshold_speed
#: Seconds, speed (m/s) and gradient (%) of a stretch of a hand-built session.
Part = tuple[float, float, float]


def session(parts: list[Part], heart: bool = True, laps: str = "none",
            workout_type: int | None = None, seed: int = 0) -> Activity:
    """A run at 1 Hz from its parts, with GPS jitter and a heart rate that follows effort."""
    rng = np.random.default_rng(seed)
    lengths = [int(p[0]) for p in parts]
    speed = np.repeat([p[1] for p in parts], lengths) + rng.normal(0, 0.1, sum(lengths))
    grade = np.repeat([p[2] for p in parts], lengths)
    distance = np.cumsum(speed)
    altitude = np.cumsum(speed * grade / 100)
    hrr = np.clip(0.86 + 1.1 * (speed / THRESHOLD - 1) + 0.03 * grade, 0.3, 1.0)
    hr = np.convolve(60 + 130 * hrr, np.ones(30) / 30, mode="same") if heart else None
    streams = Streams(np.arange(speed.size, dtype=float), distance, speed,
                      np.ones(speed.size, dtype=bool), hr, altitude)
    edges = np.concatenate(([0], np.cumsum(lengths)))
    lap_list = tuple(_lap(streams, int(a), int(b)) for a, b in zip(edges, edges[1:], strict=False))
    return Activity(
        sport="Run", start=START, elapsed_s=float(speed.size), moving_s=float(speed.size),
        distance_m=float(distance[-1]), avg_hr=float(np.mean(hr)) if hr is not None else None,
        max_hr=float(np.max(hr)) if hr is not None else None,
        laps=lap_list if laps == "manual" else (), streams=streams, workout_type=workout_type)


def _lap(s: Streams, a: int, b: int) -> Lap:
    hr = float(np.mean(s.heartrate[a:b])) if s.heartrate is not None else None
    return Lap(float(a), float(b - a), float(b - a), float(s.distance[b - 1] - s.distance[a]),
               avg_hr=hr, ascent_m=float(np.sum(np.clip(np.diff(s.altitude[a:b]), 0, None)))
               if s.altitude is not None else None)
