"""Pull an athlete's recent weeks from Strava so their first feedback already knows their mix.

One list request returns up to 200 summaries, each classified from its summary alone: a few
requests per athlete, not one per activity. Nothing is written back to old activities.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from analysis import engine
from analysis.parsers import ActivityFileError
from analysis.parsers.bundle import activity_from_strava
from worker.models import Activity, Athlete, utcnow
from worker.runtime import Runtime
from worker.sync import load_history, save_record

log = logging.getLogger(__name__)

#: How far back a backfill reaches: the history the feedback looks at.
BACKFILL_DAYS = engine.HISTORY_DAYS
#: Strava's largest page.
PAGE_SIZE = 200

Progress = Callable[[int, int | None], None]


def backfill(rt: Runtime, athlete_id: int, progress: Progress | None = None) -> int:
    """Store the athlete's last BACKFILL_DAYS of activities; returns how many were stored.

    ``progress(done, total)`` is called as activities are stored (``total`` is None until the
    last page is known).
    """
    token = rt.tokens.access_token(athlete_id)
    profile = rt.gateway.get_athlete(token, priority="backfill")
    units = "imperial" if profile.get("measurement_preference") == "feet" else "metric"
    after = int(time.time() - timedelta(days=BACKFILL_DAYS).total_seconds())
    summaries: list[dict] = []
    page = 1
    while True:
        batch = rt.gateway.list_activities(token, after=after, page=page, priority="backfill")
        summaries.extend(batch)
        if progress:
            progress(0, None)
        if len(batch) < PAGE_SIZE:
            break
        page += 1
    summaries.sort(key=lambda s: str(s.get("start_date", "")))
    stored = 0
    for summary in summaries:
        stored += _store(rt, athlete_id, summary)
        if progress:
            progress(stored, len(summaries))
    with rt.db.session() as session:
        athlete = session.get(Athlete, athlete_id)
        if athlete is not None:
            athlete.units = units
            athlete.backfilled_at = utcnow()
    log.info("backfill stored %d activities", stored, extra={"athlete_id": athlete_id})
    return stored


def _store(rt: Runtime, athlete_id: int, summary: dict) -> int:
    try:
        activity = activity_from_strava(summary)
        activity_id = int(summary["id"])
    except (ActivityFileError, KeyError, TypeError, ValueError) as error:
        log.warning("backfill skipped an unreadable summary: %s", error,
                    extra={"athlete_id": athlete_id})
        return 0
    history = load_history(rt, athlete_id, activity.start)
    profile = engine.profile_for(history, activity, activity_id)
    analysis = engine.analyse(activity, profile, activity_id)
    with rt.db.session() as session:
        if session.get(Athlete, athlete_id) is None:
            return 0
        if session.get(Activity, activity_id) is not None:
            return 0  # a live event got there first, with more than a summary to go on
        save_record(session, athlete_id, activity_id, analysis, used_streams=False)
    return 1
