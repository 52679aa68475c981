"""Pull an athlete's recent weeks from Strava so their first feedback already knows their mix.

The backfill on connect is the history refresh of worker.history (the athlete's units, then one
list request for up to 200 summaries, each classified from its summary alone).
Summaries that cannot decide are marked, and their streams are fetched later, newest first,
only while the budget has room for background work (:func:`fetch_streams`). Nothing is written
back to old activities.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from analysis import engine
from analysis.model import Activity as ActivityData
from analysis.parsers.bundle import activity_from_strava
from worker import labels, preferences
from worker.cache import load_history, save_record
from worker.history import Progress, refresh
from worker.inbox import EventStatus
from worker.models import Activity, InboxEvent
from worker.runtime import Runtime

log = logging.getLogger(__name__)

#: Activities one streams pass handles before it yields its worker thread to other jobs.
STREAMS_BATCH = 20


def backfill(rt: Runtime, athlete_id: int, progress: Progress | None = None,
             force: bool = False) -> int:
    """Read a newly connected athlete's units and history; returns how many sessions it holds.

    The history is read unless a live upload read it first (``force``: read it anyway).

    ``progress(done, total)`` is called as activities are stored (``total`` is None until the
    last page is known).
    """
    stored = rt.tokens.using(athlete_id, lambda _token: refresh(
        rt, athlete_id, priority="backfill", progress=progress, force=force))
    log.info("backfill holds %d activities", stored, extra={"athlete_id": athlete_id})
    return stored


def fetch_streams(rt: Runtime, athlete_id: int, batch: int = STREAMS_BATCH) -> int:
    """Re-analyse up to ``batch`` undecided backfilled activities with their streams.

    Newest first, at the lowest priority: :class:`worker.budget.QuotaExhausted` ends the pass
    (the caller comes back when the window reopens). Returns how many are still waiting.
    """
    rt.tokens.using(athlete_id, lambda token: _fetch_streams(rt, token, athlete_id, batch))
    return len(_waiting(rt, athlete_id, None))


def _fetch_streams(rt: Runtime, token: str, athlete_id: int, batch: int) -> None:
    for activity_id in _waiting(rt, athlete_id, batch):
        streams = rt.gateway.get_streams(token, activity_id, priority="backfill-streams",
                                         athlete_id=athlete_id)
        with rt.db.read() as session:
            row = session.get(Activity, activity_id)
            activity = activity_from_row(row, streams) if row is not None else None
        if activity is None:
            continue
        history = load_history(rt, athlete_id, activity.start)
        analysis = labels.honour(rt.db, activity_id, activity, engine.analyse(
            activity, engine.profile_for(history, activity, activity_id), activity_id,
            preferences.voice_of(rt.db, athlete_id)))
        with rt.db.session() as session:
            if session.get(Activity, activity_id) is None:
                continue  # deleted meanwhile
            save_record(session, athlete_id, activity_id, analysis, used_streams=bool(streams))


def _waiting(rt: Runtime, athlete_id: int, limit: int | None) -> list[int]:
    """The athlete's activities whose streams the pass should read, newest first.

    An activity with a webhook event still to handle is left to that event: the live path reads
    it in detail and its streams only if the detail cannot decide, and streams are not stored,
    so a read here would be a second one.
    """
    live = select(InboxEvent.id).where(
        InboxEvent.object_type == "activity", InboxEvent.object_id == Activity.id,
        InboxEvent.aspect_type.in_(("create", "update")),
        InboxEvent.status == EventStatus.PENDING)
    with rt.db.read() as session:
        return list(session.scalars(
            select(Activity.id)
            .where(Activity.athlete_id == athlete_id, Activity.needs_streams.is_(True),
                   ~live.exists())
            .order_by(Activity.start_date.desc()).limit(limit)
        ).all())


def activity_from_row(row: Activity, streams: dict[str, Any]) -> ActivityData:
    """Our stored summary of an activity, with its streams, as the analysis reads it."""
    summary = {
        "id": row.id, "sport_type": row.sport, "start_date": row.start_date.isoformat(),
        "elapsed_time": row.moving_s, "moving_time": row.moving_s,
        "distance": row.distance_m, "total_elevation_gain": row.ascent_m,
        "average_heartrate": row.avg_hr, "max_heartrate": row.max_hr,
        "workout_type": row.workout_type,
    }
    return activity_from_strava(summary, streams or None)
