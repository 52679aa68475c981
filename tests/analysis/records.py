"""SessionRecords built by hand for the training and feedback tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from analysis.model import SessionRecord, Workout
from analysis.training import Past

#: A Wednesday evening; its ISO week started on Monday 2024-05-13.
NOW = datetime(2024, 5, 15, 18, 0, tzinfo=UTC)
_ids = itertools.count(1)


def session(
    days_ago: float,
    workout: Workout = Workout.EASY,
    *,
    sport: str = "Run",
    km: float = 8.0,
    minutes: float = 45.0,
    load: float = 60.0,
    hard: bool = False,
    hr: float | None = None,
    activity_id: int | None = None,
) -> SessionRecord:
    """A session that started ``days_ago`` days (and an hour) before NOW."""
    return SessionRecord(
        start=NOW - timedelta(days=days_ago, hours=1),
        sport=sport,
        workout=workout,
        distance_m=km * 1000,
        moving_s=minutes * 60,
        load=load,
        hard=hard,
        avg_hr=hr,
        activity_id=next(_ids) if activity_id is None else activity_id,
    )


def known(history: list[SessionRecord], days: int | None = None) -> Past | None:
    """``history`` as a Past complete for ``days`` days up to NOW, by default since its oldest."""
    since = None if days is None else NOW - timedelta(days=days - 1, hours=NOW.hour)
    return Past.of(history, since)
