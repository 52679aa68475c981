"""What is normal for one athlete: heart rates, paces and distances from their history.

Relative labels (long, recovery) and intensities (tempo, race) only mean something against
the athlete who ran them. Without history the profile falls back to population values, and
says so in ``hr_source`` and ``pace_source``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.model import QUALITY_WORKOUTS, SessionRecord, is_run

#: Population maximum heart rate: Tanaka et al. (2001), 208 - 0.7 x age, at about age 25.
DEFAULT_MAX_HR = 190.0
#: Population resting heart rate of an active adult (AHA: 60-100 bpm, runners lower).
DEFAULT_REST_HR = 60.0
#: Easy pace of a recreational runner, 6:00/km (median pace of Strava's yearly reports).
DEFAULT_EASY_SPEED = 1000.0 / 360.0
#: Threshold (about one-hour race) pace of the same runner, 4:30/km: Daniels' T pace is
#: roughly 1.3x the speed of his E pace at moderate VDOT.
DEFAULT_THRESHOLD_SPEED = 1000.0 / 270.0
#: A typical run of one hour at easy pace.
DEFAULT_TYPICAL_RUN_S = 3600.0
#: Distance of that hour at the default easy pace, rounded.
DEFAULT_TYPICAL_RUN_M = 10000.0
#: A run is long from 1.5x the athlete's typical run (coaches' rule: the long run is
#: 25-30 % of weekly volume, about 1.5-2x an ordinary run).
LONG_FACTOR = 1.5
#: Threshold speed over easy speed when history has no fast running: Daniels' tables
#: put T pace 18-25 % faster than E pace.
THRESHOLD_OVER_EASY = 1.2
#: Runs needed before the history's paces replace the population defaults.
MIN_RUNS_FOR_PACE = 5
#: Heart-rate readings needed before the history's maximum replaces the default.
MIN_HR_SESSIONS = 5
#: Percentile of the session maxima taken as maximum heart rate: the top readings are
#: the athlete's hardest efforts, the very top may be a strap artefact.
MAX_HR_PERCENTILE = 98.0
#: Percentile of run speeds taken as threshold speed: the fastest runs of a season are
#: races and tempo runs, near one-hour race pace.
THRESHOLD_PERCENTILE = 90.0
#: Plausible average running speeds in m/s; outside them a record is a glitch (a ride
#: saved as a run, a watch left running overnight).
RUN_SPEED_RANGE = (1.2, 6.5)
#: Plausible heart-rate maxima in bpm; outside them the strap misread.
HR_RANGE = (100.0, 230.0)


@dataclass(frozen=True)
class AthleteProfile:
    """The athlete's own yardsticks, in SI units."""

    max_hr: float
    rest_hr: float
    easy_speed: float
    threshold_speed: float
    typical_run_m: float
    long_run_m: float
    typical_run_s: float
    runs_seen: int
    hr_source: str
    pace_source: str

    @property
    def long_run_s(self) -> float:
        """Duration above which a run is long for this athlete."""
        return LONG_FACTOR * self.typical_run_s

    @property
    def own_paces(self) -> bool:
        """Whether the paces are the athlete's own, read from their runs (else the
        population's defaults)."""
        return self.pace_source == "history"


def default_profile() -> AthleteProfile:
    """The population profile used when nothing is known about the athlete."""
    return AthleteProfile(
        max_hr=DEFAULT_MAX_HR,
        rest_hr=DEFAULT_REST_HR,
        easy_speed=DEFAULT_EASY_SPEED,
        threshold_speed=DEFAULT_THRESHOLD_SPEED,
        typical_run_m=DEFAULT_TYPICAL_RUN_M,
        long_run_m=LONG_FACTOR * DEFAULT_TYPICAL_RUN_M,
        typical_run_s=DEFAULT_TYPICAL_RUN_S,
        runs_seen=0,
        hr_source="defaults",
        pace_source="defaults",
    )


def build_profile(
    history: Sequence[SessionRecord], max_hr: float | None = None, rest_hr: float | None = None
) -> AthleteProfile:
    """Estimate an athlete's profile from their past sessions.

    Parameters:
        history: the athlete's earlier sessions, in any order; glitches are skipped.
        max_hr, rest_hr: values the athlete gave, which win over any estimate.

    Returns:
        The profile; fields with too little history keep the population defaults.
    """
    runs = [r for r in history if _plausible_run(r)]
    hr_max, hr_source = _max_hr(history, max_hr)
    base = default_profile()
    paces = _paces(runs) if len(runs) >= MIN_RUNS_FOR_PACE else None
    easy, threshold, typical_m, typical_s = paces or (
        base.easy_speed, base.threshold_speed, base.typical_run_m, base.typical_run_s)
    return AthleteProfile(
        max_hr=hr_max,
        rest_hr=rest_hr if rest_hr is not None else DEFAULT_REST_HR,
        easy_speed=easy,
        threshold_speed=threshold,
        typical_run_m=typical_m,
        long_run_m=LONG_FACTOR * typical_m,
        typical_run_s=typical_s,
        runs_seen=len(runs),
        hr_source=hr_source,
        pace_source="history" if paces else "defaults",
    )


def _plausible_run(record: SessionRecord) -> bool:
    low, high = RUN_SPEED_RANGE
    return is_run(record.sport) and record.moving_s > 0 and low <= record.speed <= high


def _max_hr(history: Sequence[SessionRecord], given: float | None) -> tuple[float, str]:
    if given is not None:
        return given, "given"
    low, high = HR_RANGE
    seen = [r.max_hr for r in history if r.max_hr is not None and low <= r.max_hr <= high]
    if len(seen) < MIN_HR_SESSIONS:
        return DEFAULT_MAX_HR, "defaults"
    return float(np.percentile(seen, MAX_HR_PERCENTILE)), "history"


def _paces(runs: Sequence[SessionRecord]) -> tuple[float, float, float, float]:
    speeds = np.array([r.speed for r in runs])
    steady = np.array([r.speed for r in runs if r.workout not in QUALITY_WORKOUTS])
    easy = float(np.median(steady if steady.size else speeds))
    threshold = max(THRESHOLD_OVER_EASY * easy, float(np.percentile(speeds, THRESHOLD_PERCENTILE)))
    distance = float(np.median([r.distance_m for r in runs]))
    duration = float(np.median([r.moving_s for r in runs]))
    return easy, threshold, distance, duration
