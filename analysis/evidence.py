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
from analysis.units import (
    format_distance,
    format_duration,
    format_elevation,
    format_pace,
    format_pace_range,
)

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

    def of_max(self, fraction: float, noun: str = "max") -> str:
        """``92 % of max``, against the maximum this run was judged by."""
        return share_of_max(percent(fraction), self.profile, self.features.max_hr, noun)

    def of_max_range(self, low: float, high: float) -> str:
        """``87-96 % of max HR``, or one share when both round alike."""
        low_pct, high_pct = round(100 * low), round(100 * high)
        share = f"{low_pct} %" if low_pct == high_pct else f"{low_pct}-{high_pct} %"
        return share_of_max(share, self.profile, self.features.max_hr, "max HR")


def share_of_max(share: str, profile: AthleteProfile, max_hr: float, noun: str = "max") -> str:
    """``{share} of max``, saying which maximum when it is not the athlete's own: the
    population's default (``assumed 190``), or that default raised by what this run showed.

    Parameters:
        share: the share already written, ``92 %`` or ``87-96 %``.
        max_hr: the maximum the share was computed against.
        noun: ``max`` or ``max HR``.
    """
    text = f"{share} of {noun}"
    if profile.hr_source != "defaults":
        return text
    if round(max_hr) > round(profile.max_hr):
        return f"{text} (max {round(max_hr)}, from this run)"
    return f"{text} (assumed {round(profile.max_hr)})"


def typical_run(activity: Activity, profile: AthleteProfile, imperial: bool) -> str:
    """How a long run compares with the athlete's typical run; without a run history, the
    population's default it was judged against."""
    if profile.pace_source == "defaults":
        return (f"long by the default {format_distance(profile.long_run_m, imperial)} / "
                f"{format_duration(profile.long_run_s)} (no run history)")
    ratio = max(activity.distance_m / profile.typical_run_m,
                activity.moving_s / profile.typical_run_s)
    return f"{ratio:.1f}x a typical run"


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
