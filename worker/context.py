"""What a job knows of its athlete, read once: the one read of a unit of work.

An event, a history read or a streams pass reads the athlete's row and their cached activities
in one reading transaction (worker.db.Database.read: no write lock), then talks to Strava and
runs the analysis with no database open, and writes once. Everything the work needs from the
database is here: the athlete's status and stored tokens, their preferences, the window their
history covers, and each cached activity as the analysis reads it (its record) and as the
event reads it (the label the athlete chose, the block written, when it was fetched).

The cache holds only what Strava sent within STRAVA_CACHE_DAYS (worker.retention), so the whole
of an athlete's cached rows is a few weeks of sessions: the history before any activity is
taken from them in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import engine
from analysis.model import SessionRecord, Workout
from worker import preferences
from worker.cache import record_of
from worker.db import Database
from worker.models import Activity, Athlete
from worker.tokens import AthleteUnavailable, StoredToken


@dataclass(frozen=True)
class Cached:
    """One cached activity of the athlete."""

    record: SessionRecord
    fetched_at: datetime
    chosen: Workout | None  #: the label the athlete chose on their page
    block_digest: str | None  #: the block we wrote, if we wrote one
    block_written_at: datetime | None


@dataclass(frozen=True)
class AthleteContext:
    """The athlete as one unit of work reads them."""

    athlete_id: int
    status: str
    token: StoredToken
    connected_at: datetime
    preferences: preferences.Preferences
    units_chosen: bool
    history_since: datetime | None
    history_read_at: datetime | None
    cached: Mapping[int, Cached]

    def require_active(self) -> AthleteContext:
        """This context, or :class:`AthleteUnavailable` when the athlete must reconnect."""
        if self.status != "active":
            raise AthleteUnavailable(f"athlete {self.athlete_id} must reconnect ({self.status})")
        return self

    def history(self, before: datetime) -> list[SessionRecord]:
        """The athlete's sessions in the HISTORY_DAYS before ``before``, oldest first."""
        since = before - timedelta(days=engine.HISTORY_DAYS)
        return sorted((c.record for c in self.cached.values()
                       if since <= c.record.start <= before), key=lambda r: r.start)

    def chosen(self, activity_id: int) -> Workout | None:
        cached = self.cached.get(activity_id)
        return cached.chosen if cached is not None else None

    def with_record(self, record: SessionRecord) -> AthleteContext:
        """The context once an activity it holds is analysed again."""
        cached = self.cached.get(record.activity_id) if record.activity_id is not None else None
        if cached is None or record.activity_id is None:
            return self
        return replace(self, cached={**self.cached,
                                     record.activity_id: replace(cached, record=record)})

    def with_units(self, units: str) -> AthleteContext:
        """The context once Strava's units are the athlete's (they did not choose their own)."""
        if self.units_chosen:
            return self
        return replace(self, preferences=replace(self.preferences, units=units))


def load(session: Session, athlete_id: int) -> AthleteContext | None:
    """The athlete's context, in the caller's transaction; None if they are not connected."""
    athlete = session.get(Athlete, athlete_id)
    if athlete is None:
        return None
    return of(athlete, session.scalars(select(Activity)
                                       .where(Activity.athlete_id == athlete_id)).all())


def read(db: Database, athlete_id: int) -> AthleteContext:
    """The athlete's context in a reading transaction of its own.

    Raises:
        AthleteUnavailable: the athlete is not connected, or must reconnect.
    """
    with db.read() as session:
        context = load(session, athlete_id)
    if context is None:
        raise AthleteUnavailable(f"athlete {athlete_id} is not connected")
    return context.require_active()


def of(athlete: Athlete, rows: Iterable[Activity]) -> AthleteContext:
    return AthleteContext(
        athlete_id=athlete.id, status=athlete.status,
        token=StoredToken(athlete.access_token, athlete.expires_at),
        connected_at=athlete.connected_at, preferences=preferences.of(athlete),
        units_chosen=athlete.units_chosen, history_since=athlete.history_since,
        history_read_at=athlete.history_read_at,
        cached={row.id: _cached(row) for row in rows})


def _cached(row: Activity) -> Cached:
    return Cached(record_of(row), row.fetched_at,
                  Workout(row.workout_chosen) if row.workout_chosen else None,
                  row.block_digest, row.block_written_at)
