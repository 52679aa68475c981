"""The activities in Strava's cache, as the analysis reads them and as it leaves them.

Each row says when it was fetched from Strava (worker.retention purges it at the horizon).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from analysis import engine
from analysis.model import SessionRecord, Workout
from analysis.voice import Voice
from worker import i18n
from worker.models import Activity


def record_of(row: Activity) -> SessionRecord:
    return SessionRecord(
        start=row.start_date, sport=row.sport, workout=Workout(row.workout),
        distance_m=row.distance_m, moving_s=row.moving_s, load=row.load, hard=row.hard,
        avg_hr=row.avg_hr, max_hr=row.max_hr, ascent_m=row.ascent_m, activity_id=row.id,
        elapsed_s=row.elapsed_s,
    )


def languages() -> list[Voice]:
    """Every language the pages speak (its catalogue and decimal separator), for the analysis to
    write each activity's evidence in them all (engine.analyse): the athlete may read their page
    in another language tomorrow."""
    return [Voice(language=language, translator=i18n.translator(language),
                  decimal=i18n.decimal_separator(language)) for language in i18n.LANGUAGES]


def save_record(session: Session, athlete_id: int, activity_id: int, analysis: engine.Analysis,
                used_streams: bool, fetched_at: datetime | None = None,
                utc_offset: timedelta | None = None) -> Activity:
    """Insert or update the activity's row from an analysis of what was read from Strava at
    ``fetched_at`` (None: the row's data was read when it was, only the analysis is new).

    The row no longer waits for the streams pass: this analysis already weighed whether its
    streams were worth a request (a history read that stores a bare summary marks it again).
    Without that, an upload listed by the history read its own event started would have its
    streams read a second time by the next pass."""
    record, classification = analysis.record, analysis.classification
    row = session.get(Activity, activity_id)
    if row is None:
        row = Activity(id=activity_id, athlete_id=athlete_id)
        session.add(row)
    row.start_date = record.start
    row.sport = record.sport
    row.workout = classification.workout.value
    row.confidence = classification.confidence
    row.evidence, row.evidence_language = classification.evidence, analysis.language
    row.evidence_texts = (json.dumps(dict(analysis.evidence), ensure_ascii=False)
                          if analysis.evidence else None)
    row.distance_m, row.moving_s = record.distance_m, record.moving_s
    row.elapsed_s = record.elapsed_s
    row.load, row.hard = record.load, record.hard
    row.avg_hr, row.max_hr, row.ascent_m = record.avg_hr, record.max_hr, record.ascent_m
    row.used_streams = used_streams or bool(row.used_streams)
    row.needs_streams = False
    if fetched_at is not None:
        row.fetched_at = fetched_at
    if utc_offset is not None and abs(utc_offset) <= engine.MAX_UTC_OFFSET:
        row.utc_offset_s = round(utc_offset.total_seconds())
    return row


def utc_offset(detailed: dict[str, Any]) -> timedelta | None:
    """The athlete's local time minus UTC at the activity, from Strava's ``start_date_local``
    (local wall time, written with a "Z") and ``start_date``; None when either is missing."""
    try:
        local = datetime.fromisoformat(str(detailed["start_date_local"]).replace("Z", ""))
        utc = datetime.fromisoformat(str(detailed["start_date"]).replace("Z", ""))
    except (KeyError, ValueError):
        return None
    return local.replace(tzinfo=None) - utc.replace(tzinfo=None)
