"""Database tables: athletes, their analysed activities, and the webhook inbox.

The database is the source of truth. Every row is keyed by Strava's own ids, so a step that
runs twice finds its own earlier work instead of doing it again. Every row that holds Strava
data, or something derived from it, says when it was fetched from Strava (``fetched_at``):
worker.retention deletes it once that is older than STRAVA_CACHE_DAYS. Only the athlete row
outlives the cache, and it holds no Strava data: tokens, settings, dates of our own.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given for a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


StravaId = Annotated[int, mapped_column(BigInteger)]
Timestamp = Annotated[datetime, mapped_column(UTCDateTime)]


class Base(DeclarativeBase):
    pass


class Athlete(Base):
    """A connected athlete and their tokens (encrypted; see worker.tokens)."""

    __tablename__ = "athletes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    scope: Mapped[str] = mapped_column(String(255))
    #: "active", or "needs_reauth" once Strava refused their refresh token or a permission.
    status: Mapped[str] = mapped_column(String(16), default="active")
    units: Mapped[str] = mapped_column(String(8), default="metric")
    connected_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)
    #: Every activity of the athlete since ``history_since`` is in the cache, as read from
    #: Strava's list at ``history_read_at`` (see worker.history); None: not read, or expired.
    #: The purge selects by the second (worker.retention): it is indexed.
    history_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    history_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The athlete's own settings (see worker.preferences); ``units`` above is one of them.
    #: False: no block is written (the athlete turned feedback off on their page).
    feedback_on: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: A language code of worker.i18n.LANGUAGES.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    #: Whether heart-rate and load figures appear in the (public) block.
    public_numbers: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: Sections of analysis.voice.SECTIONS the athlete turned off, comma-separated (so that a
    #: section added later shows until they turn it off).
    hidden_sections: Mapped[str] = mapped_column(String(255), default="", server_default="")
    #: True once the athlete chose units on their page: Strava's preference no longer sets them.
    units_chosen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Activity(Base):
    """One analysed activity: what history needs, and what we last wrote to Strava."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_athlete_start", "athlete_id", "start_date"),
        Index("ix_activities_needs_streams", "athlete_id", "needs_streams"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    athlete_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("athletes.id", ondelete="CASCADE")
    )
    start_date: Mapped[Timestamp]
    sport: Mapped[str] = mapped_column(String(64))
    workout: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text, default="")
    #: The language ``evidence`` is written in (the athlete's when it was analysed).
    evidence_language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    #: The same evidence in every language the pages speak, as JSON {language: text}, written
    #: from the one classification at the analysis (engine.evidence_in); None in rows
    #: analysed before it was kept, whose pages show ``evidence`` only in its own language.
    evidence_texts: Mapped[str | None] = mapped_column(Text)
    distance_m: Mapped[float] = mapped_column(Float)
    moving_s: Mapped[float] = mapped_column(Float)
    #: Seconds from the start to the end of the recording, stops included; None in rows
    #: stored before it was kept (their outings are then joined on the moving time).
    elapsed_s: Mapped[float | None] = mapped_column(Float)
    load: Mapped[float] = mapped_column(Float)
    hard: Mapped[bool] = mapped_column(Boolean)
    avg_hr: Mapped[float | None] = mapped_column(Float)
    max_hr: Mapped[float | None] = mapped_column(Float)
    ascent_m: Mapped[float | None] = mapped_column(Float)
    #: True when the classification saw the streams, not only the summary and laps.
    used_streams: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A backfilled activity whose summary could not decide: streams are fetched when the
    #: budget has room (worker.backfill).
    needs_streams: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Strava's workout flag of a backfilled activity (race, long run, workout), kept for the
    #: streams pass, which sees only our row and the streams.
    workout_type: Mapped[int | None] = mapped_column(Integer)
    #: The label the athlete chose on their page (a Workout value), which the analysis keeps
    #: instead of its own; None: not corrected. It is theirs, and goes with the row.
    workout_chosen: Mapped[str | None] = mapped_column(String(32))
    #: The athlete's local time minus UTC at the activity, in seconds (Strava's
    #: start_date_local minus start_date); None when Strava did not say. Their page counts the
    #: athlete's calendar days with it, as the block does.
    utc_offset_s: Mapped[int | None] = mapped_column(Integer)
    #: sha256 of the block last written into the description; None if never written.
    block_digest: Mapped[str | None] = mapped_column(String(64))
    #: That block as written, shown on the athlete's page of the activity.
    block: Mapped[str | None] = mapped_column(Text)
    #: When the block was written; the purge selects by it (worker.retention): indexed.
    block_written_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    analysed_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)
    #: When what this row holds was read from Strava (the oldest of its reads).
    fetched_at: Mapped[Timestamp] = mapped_column(default=utcnow, index=True)

    def evidence_in(self, language: str) -> str:
        """The evidence in ``language``; "" when the row has none in it (analysed before the
        evidence was kept in every language, in another language)."""
        texts = json.loads(self.evidence_texts) if self.evidence_texts else {}
        text = texts.get(language) if isinstance(texts, dict) else None
        if isinstance(text, str):
            return text
        return self.evidence if self.evidence_language == language else ""


class InboxEvent(Base):
    """A webhook event as Strava sent it, committed before it is acknowledged."""

    __tablename__ = "inbox_events"
    __table_args__ = (Index("ix_inbox_status_lease", "status", "lease_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Identifies Strava's retries and duplicates of one event.
    dedup_key: Mapped[str] = mapped_column(String(64), unique=True)
    object_type: Mapped[str] = mapped_column(String(16))
    aspect_type: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[int] = mapped_column(BigInteger)
    owner_id: Mapped[int] = mapped_column(BigInteger, index=True)
    event_time: Mapped[int] = mapped_column(BigInteger)
    updates: Mapped[str] = mapped_column(Text, default="{}")
    received_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    #: Until when the event's current message owns it; pending past it, the message was lost
    #: and the sweeper sends another (see worker.inbox).
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A worker.inbox.EventStatus: pending until handled; then done, skipped or dead.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    #: Reads of the event's activity that Strava answered 404 (see worker.sync).
    misses: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    #: When Strava sent it: its ids and updates (a title, say) are Strava data.
    fetched_at: Mapped[Timestamp] = mapped_column(default=utcnow, index=True)


class StrandedJob(Base):
    """A backfill or streams job that could not be sent, or failed for good (see worker.jobs)."""

    __tablename__ = "stranded_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(64))
    queue: Mapped[str] = mapped_column(String(32))
    athlete_id: Mapped[int] = mapped_column(BigInteger, index=True)
    #: A worker.jobs.JobStatus: unsent (the sweeper sends it) or dead (a dead letter).
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    #: Its reason may quote Strava's answers: kept no longer than the cache.
    fetched_at: Mapped[Timestamp] = mapped_column(default=utcnow, index=True)


class PushSubscription(Base):
    """The application's push subscription at Strava (there is at most one)."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    callback_url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)


class WebSession(Base):
    """A signed-in browser: the athlete it acts for, until when, and its CSRF token.

    Only a hash of the session id is stored (the id itself is in the browser's cookie alone),
    so a copy of the table lets nobody sign in. The row goes with its athlete.
    """

    __tablename__ = "web_sessions"

    #: sha256 of the session id, hex.
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    athlete_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("athletes.id", ondelete="CASCADE"), index=True
    )
    #: Sent with every form of the session and compared with what the form posts back.
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    expires_at: Mapped[Timestamp] = mapped_column(index=True)


class PendingRevoke(Base):
    """A revoke Strava refused while an athlete's data was deleted, to be tried again.

    It keeps what a revoke needs and nothing else: the two tokens, encrypted as they were on
    the athlete row, and when to try again (see worker.forget). No athlete id, no Strava data.
    """

    __tablename__ = "pending_revokes"

    id: Mapped[int] = mapped_column(primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    #: Tries that failed since the deletion (the one at the deletion not counted).
    tries: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[Timestamp] = mapped_column(index=True)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)


class Leaving(Base):
    """An athlete who asked for their data to go once the blocks Stridewise wrote into their
    descriptions are removed (worker.leaving): how far back, and what was done so far. The row
    goes with its athlete."""

    __tablename__ = "leavings"

    athlete_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("athletes.id", ondelete="CASCADE"), primary_key=True
    )
    #: The oldest start of the activities to look at beyond the cache; None: the cache only.
    back_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Whether the activities since ``back_to`` have been listed from Strava.
    listed: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    #: Descriptions read: a block of ours removed, none found, the activity gone from Strava.
    removed: Mapped[int] = mapped_column(default=0)
    without_block: Mapped[int] = mapped_column(default=0)
    gone: Mapped[int] = mapped_column(default=0)
    #: Descriptions Strava refused to give or take (a 4xx other than 404): their block stays.
    failed: Mapped[int] = mapped_column(default=0)


class LeavingActivity(Base):
    """One activity of a leaving athlete whose description is to be read, and whether it was."""

    __tablename__ = "leaving_activities"

    athlete_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("athletes.id", ondelete="CASCADE"), primary_key=True
    )
    activity_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    #: Whether a block is known to be there (we wrote it and the cache still holds it).
    known: Mapped[bool] = mapped_column(Boolean, default=False)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
