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
from worker import context, labels
from worker.cache import languages, save_record
from worker.context import AthleteContext
from worker.history import Progress, refresh
from worker.inbox import EventStatus
from worker.models import Activity, InboxEvent
from worker.runtime import Runtime
from worker.tokens import StravaSession

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
    stored = refresh(rt, athlete_id, priority="backfill", progress=progress, force=force)
    log.info("backfill holds %d activities", stored, extra={"athlete_id": athlete_id})
    return stored


def fetch_streams(rt: Runtime, athlete_id: int, batch: int = STREAMS_BATCH) -> int:
    """Re-analyse up to ``batch`` undecided backfilled activities with their streams.

    Newest first, at the lowest priority: :class:`worker.budget.QuotaExhausted` ends the pass
    (the caller comes back when the window reopens). Returns how many are still waiting.
    """
    athlete = context.read(rt.db, athlete_id)
    strava = rt.strava(athlete_id, "backfill", athlete.token)
    for activity_id in _waiting(rt, athlete_id, batch):
        athlete = _with_streams(rt, strava, athlete, activity_id)
    return len(_waiting(rt, athlete_id, None))


def _with_streams(rt: Runtime, strava: StravaSession, athlete: AthleteContext,
                  activity_id: int) -> AthleteContext:
    """Analyse one activity again with its streams; the context with its new record."""
    streams = strava.get_streams(activity_id)
    with rt.db.read() as session:
        row = session.get(Activity, activity_id)
        activity = activity_from_row(row, streams) if row is not None else None
    if activity is None:
        return athlete
    history = athlete.history(activity.start)
    analysis = labels.corrected(engine.analyse(
        activity, engine.profile_for(history, activity, activity_id), activity_id,
        athlete.preferences.voice(), languages()), activity, athlete.chosen(activity_id))
    with rt.db.session() as session:
        if session.get(Activity, activity_id) is None:
            return athlete  # deleted meanwhile
        save_record(session, athlete.athlete_id, activity_id, analysis,
                    used_streams=bool(streams))
    return athlete.with_record(analysis.record)


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
        "elapsed_time": row.elapsed_s if row.elapsed_s is not None else row.moving_s,
        "moving_time": row.moving_s,
        "distance": row.distance_m, "total_elevation_gain": row.ascent_m,
        "average_heartrate": row.avg_hr, "max_heartrate": row.max_hr,
        "workout_type": row.workout_type,
    }
    return activity_from_strava(summary, streams or None)
