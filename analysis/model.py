"""The shared vocabulary of the analysis package: activities, laps, streams, results.

Every other module in :mod:`analysis` speaks in these types. They are frozen, carry
SI units (metres, seconds, metres per second, beats per minute) and never hold I/O
handles, so they can be built from a file, a Strava bundle or a database row alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class Workout(StrEnum):
    """The workout labels of the contract (docs/DESIGN.md), in display order."""

    EASY = "easy"
    RECOVERY = "recovery"
    LONG = "long"
    TEMPO = "tempo"
    INTERVALS = "intervals"
    SPRINTS = "sprints"
    HILLS = "hills"
    FARTLEK = "fartlek"
    RACE = "race"
    STRENGTH = "strength"
    CROSS_TRAINING = "cross_training"
    OTHER = "other"


#: Labels that count as quality (hard) running sessions.
QUALITY_WORKOUTS = frozenset(
    {Workout.TEMPO, Workout.INTERVALS, Workout.SPRINTS, Workout.HILLS, Workout.FARTLEK,
     Workout.RACE}
)

#: Strava sport types that are running.
RUN_SPORTS = frozenset({"Run", "TrailRun", "VirtualRun"})
#: Strava sport types that are strength work.
STRENGTH_SPORTS = frozenset({"WeightTraining", "Crossfit"})
#: Sport types that say nothing of what was done (Strava's "Workout", which files of a
#: generic or unknown sport become): cross training unless the data show a run.
GENERIC_SPORTS = frozenset({"Workout", "HighIntensityIntervalTraining"})

#: Strava's own ``workout_type`` values (the athlete's word).
STRAVA_RUN_RACE = 1
STRAVA_RUN_LONG = 2
STRAVA_RUN_WORKOUT = 3
STRAVA_RIDE_RACE = 11
STRAVA_RIDE_WORKOUT = 12


def is_run(sport: str) -> bool:
    return sport in RUN_SPORTS


def is_strength(sport: str) -> bool:
    return sport in STRENGTH_SPORTS


def is_generic(sport: str) -> bool:
    return sport in GENERIC_SPORTS


@dataclass(frozen=True)
class Streams:
    """Samples resampled to 1 Hz on elapsed time from the activity's start.

    All arrays have the same length. Channels a device did not record are ``None``;
    channels recorded with gaps hold NaN in the gaps. ``moving`` is False while the
    athlete stood still or the device was paused.
    """

    time: FloatArray  # s since start, 0, 1, 2, ...
    distance: FloatArray  # m, cumulative, non-decreasing
    speed: FloatArray  # m/s
    moving: BoolArray
    heartrate: FloatArray | None = None  # bpm
    altitude: FloatArray | None = None  # m
    grade: FloatArray | None = None  # percent, smoothed
    cadence: FloatArray | None = None  # steps (or revolutions) per minute
    power: FloatArray | None = None  # W

    def __len__(self) -> int:
        return int(self.time.shape[0])


@dataclass(frozen=True)
class Lap:
    """A lap as the device or Strava recorded it."""

    start_s: float  # offset from the activity's start
    elapsed_s: float
    moving_s: float
    distance_m: float
    avg_hr: float | None = None
    max_hr: float | None = None
    ascent_m: float | None = None

    @property
    def speed(self) -> float:
        """Average moving speed in m/s (0 for a lap without movement)."""
        return self.distance_m / self.moving_s if self.moving_s > 0 else 0.0


@dataclass(frozen=True)
class LeftOut:
    """Distance and time of a run covered at a vehicle's speed, taken out of its totals,
    pace, splits and laps (analysis.plausibility.without_vehicle_stretches)."""

    distance_m: float
    seconds: float


@dataclass(frozen=True)
class Activity:
    """One activity, whatever it came from.

    ``sport`` is Strava's ``sport_type`` vocabulary ("Run", "TrailRun", "Ride",
    "WeightTraining", "Walk", ...). ``workout_type`` is Strava's own field, the
    athlete's word (1 race, 2 long run, 3 workout; 11 and 12 for rides), or None.
    """

    sport: str
    start: datetime  # timezone-aware, UTC
    elapsed_s: float
    moving_s: float
    distance_m: float
    ascent_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    laps: tuple[Lap, ...] = ()
    splits: tuple[Lap, ...] = ()  # Strava's per-kilometre splits, when known
    streams: Streams | None = None
    workout_type: int | None = None
    name: str = ""
    manual: bool = False
    trainer: bool = False
    left_out: LeftOut | None = None  # stretches at a vehicle's speed, not in the totals

    @property
    def speed(self) -> float:
        """Average moving speed in m/s (0 when nothing moved)."""
        return self.distance_m / self.moving_s if self.moving_s > 0 else 0.0


@dataclass(frozen=True)
class Classification:
    """What the workout was, how sure we are, and why, in words a runner reads."""

    workout: Workout
    confidence: float  # 0..1
    evidence: str


@dataclass(frozen=True)
class SessionRecord:
    """The compact trace one activity leaves in the athlete's history.

    This is what the worker stores per activity and hands back as history, so
    history never needs Strava again. ``load`` is Banister TRIMP (or its pace-based
    stand-in); ``hard`` marks sessions that need recovery after them.
    """

    start: datetime
    sport: str
    workout: Workout
    distance_m: float
    moving_s: float
    load: float
    hard: bool
    avg_hr: float | None = None
    max_hr: float | None = None
    ascent_m: float | None = None
    activity_id: int | None = None
    elapsed_s: float | None = None  # None where only the moving time was kept

    @property
    def speed(self) -> float:
        """Average moving speed in m/s (0 when nothing moved)."""
        return self.distance_m / self.moving_s if self.moving_s > 0 else 0.0
