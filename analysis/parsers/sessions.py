"""One session recorded twice (a watch's FIT and the TCX a website exported from it,
or a watch and a phone) is one session: tell such copies apart from distinct sessions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from analysis.model import Activity

#: Two recordings are one session when their spans overlap by at least this share of
#: the shorter one: two sessions of one day (a warm-up file, then the race) touch at
#: most at their ends, while two devices on one athlete share almost all their time.
OVERLAP_SHARE = 0.5
#: ...and their distances agree within this share of the longer: a FIT's footpod and
#: the same run's GPS track differ by a few per cent.
DISTANCE_SHARE = 0.15
#: Distances both below this are "no distance" (strength, a pool without laps set),
#: and agree whatever they are.
NO_DISTANCE_M = 100.0


@dataclass(frozen=True)
class Span:
    """When a session ran and how far it went, all that decides a duplicate."""

    start: datetime
    seconds: float
    distance_m: float

    @classmethod
    def of(cls, activity: Activity) -> Span:
        return cls(activity.start, activity.elapsed_s or activity.moving_s, activity.distance_m)


def same_session(a: Span, b: Span) -> bool:
    """Whether ``a`` and ``b`` are one session recorded twice."""
    a0, b0 = a.start.timestamp(), b.start.timestamp()
    overlap = min(a0 + a.seconds, b0 + b.seconds) - max(a0, b0)
    shorter = min(a.seconds, b.seconds)
    if shorter <= 0 or overlap < OVERLAP_SHARE * shorter:
        return False
    longer = max(a.distance_m, b.distance_m)
    return longer < NO_DISTANCE_M or abs(a.distance_m - b.distance_m) <= DISTANCE_SHARE * longer


def distinct(activities: Iterable[Activity]) -> list[Activity]:
    """The activities, oldest first, each session once: of copies, the richest is kept
    (streams over summaries, heart rate over none, then the longer recording)."""
    kept: list[Activity] = []
    for activity in sorted(activities, key=_richness, reverse=True):
        if not any(same_session(Span.of(activity), Span.of(other)) for other in kept):
            kept.append(activity)
    return sorted(kept, key=lambda a: a.start)


def _richness(activity: Activity) -> tuple[bool, bool, float]:
    return activity.streams is not None, activity.avg_hr is not None, activity.elapsed_s
