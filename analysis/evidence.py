"""What the classifier's rules share: the run under judgement, the athlete's yardsticks,
and the runner's words (paces, distances, heights in the athlete's units) for the evidence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from analysis.efforts import Piece
from analysis.model import Activity, FloatArray
from analysis.profile import AthleteProfile
from analysis.segments import Features
from analysis.units import format_distance, format_elevation, format_pace, format_pace_range

#: The unit systems evidence can be written in.
UNITS = ("metric", "imperial")
#: Tempo and repeats need the heart rate to reach 85 % of HRmax somewhere (Garmin zone 4).
HARD_PEAK_HR_FRAC = 0.85
#: Without heart rate, hard running is at least 5 % faster than the athlete's easy pace.
HARD_SPEED_OVER_EASY = 1.05


def is_imperial(units: str) -> bool:
    """Whether ``units`` asks for miles and feet.

    Raises:
        ValueError: ``units`` is not one of :data:`UNITS`.
    """
    if units not in UNITS:
        raise ValueError(f"units must be one of {', '.join(UNITS)}, not {units!r}")
    return units == "imperial"


@dataclass(frozen=True)
class Case:
    """One run under judgement, the features read from it, and the units to speak in."""

    activity: Activity
    profile: AthleteProfile
    features: Features
    imperial: bool = False

    def pace(self, speed: float) -> str:
        return format_pace(speed, self.imperial)

    def paces(self, speeds: Iterable[float]) -> str:
        """The range of paces of ``speeds`` (m/s), fastest first."""
        values = list(speeds)
        return format_pace_range(min(values), max(values), self.imperial)

    def distance(self, metres: float) -> str:
        return format_distance(metres, self.imperial)

    def elevation(self, metres: float) -> str:
        return format_elevation(metres, self.imperial)

    def summary(self) -> str:
        """``10.0 km at 5:00/km``."""
        return distance_pace(self.activity, self.imperial)


def distance_pace(activity: Activity, imperial: bool) -> str:
    return (f"{format_distance(activity.distance_m, imperial)} at "
            f"{format_pace(activity.speed, imperial)}")


def hard(bouts: Iterable[Piece], case: Case) -> bool:
    """Heart rate reached the hard zone, or (without it) the bouts beat easy pace."""
    speed = float(np.median([b.pace_speed for b in bouts]))
    profile, peak = case.profile, case.features.peak_hr_frac
    fast = speed >= HARD_SPEED_OVER_EASY * profile.easy_speed
    if peak is None:
        return fast
    return peak >= HARD_PEAK_HR_FRAC and (fast or profile.pace_source != "history")


def faster_than_usual(activity: Activity, profile: AthleteProfile) -> bool:
    """With a pace history, heart rate alone cannot make a run hard: a run at the
    athlete's everyday pace is an everyday run, whatever a misjudged maximum says."""
    if profile.pace_source != "history":
        return True
    return activity.speed >= HARD_SPEED_OVER_EASY * profile.easy_speed


def about(seconds: float) -> float:
    """Round a measured duration the way a runner says it: 5 s steps, then half minutes."""
    step = 5.0 if seconds < 90 else 30.0
    return step * round(seconds / step)


def percent(fraction: float) -> str:
    return f"{round(100 * fraction)} %"


def cv(values: FloatArray) -> float:
    """Coefficient of variation; infinite for an empty or zero-mean sample."""
    mean = float(np.mean(values)) if values.size else 0.0
    return float(np.std(values)) / mean if mean > 0 else math.inf
