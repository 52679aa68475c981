"""Strava's cache: rows older than the horizon are purged; the athlete row stays."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from worker.forget import forget_activity, forget_athlete
from worker.inbox import Inbox
from worker.jobs import Jobs
from worker.models import Activity, Athlete, InboxEvent, StrandedJob, utcnow
from worker.retention import STRAVA_UNITS_UNREAD, oldest_fetch, purge
from worker.runtime import Runtime

ATHLETE = 31


def seed(rt: Runtime, fetched_days_ago: float, first_id: int) -> None:
    fetched = utcnow() - timedelta(days=fetched_days_ago)
    with rt.db.session() as session:
        if session.get(Athlete, ATHLETE) is None:
            session.add(Athlete(id=ATHLETE, access_token="a", refresh_token="r", expires_at=0,
                                scope="s", history_since=fetched - timedelta(days=70),
                                history_read_at=fetched))
            session.flush()
        session.add(Activity(id=first_id, athlete_id=ATHLETE, start_date=fetched, sport="Run",
                             workout="easy", confidence=1.0, evidence="", distance_m=5000.0,
                             moving_s=1500.0, load=40.0, hard=False, fetched_at=fetched))
        session.add(InboxEvent(dedup_key=str(first_id), object_type="activity",
                               aspect_type="create", object_id=first_id, owner_id=ATHLETE,
                               event_time=0, updates='{"title": "Morning Run"}',
                               fetched_at=fetched, status="dead"))
        session.add(StrandedJob(actor="backfill", queue="backfill", athlete_id=ATHLETE,
                                status="dead", reason="HTTP 500", fetched_at=fetched))


def held(rt: Runtime) -> dict[str, int]:
    with rt.db.session() as session:
        return {model.__tablename__: int(session.scalar(
                    select(func.count()).select_from(model)) or 0)
                for model in (Activity, InboxEvent, StrandedJob, Athlete)}


def test_purge_deletes_what_was_fetched_before_the_horizon_and_keeps_the_athlete(
    runtime: Runtime,
) -> None:
    seed(runtime, fetched_days_ago=8, first_id=1)
    seed(runtime, fetched_days_ago=6, first_id=2)
    deleted = purge(runtime.db, timedelta(days=7))
    assert deleted == {"activities": 1, "inbox_events": 1, "stranded_jobs": 1}
    assert held(runtime) == {"activities": 1, "inbox_events": 1, "stranded_jobs": 1,
                             "athletes": 1}


def test_an_expired_history_is_no_longer_complete_and_dead_letters_go_with_it(
    runtime: Runtime,
) -> None:
    seed(runtime, fetched_days_ago=8, first_id=1)
    purge(runtime.db, timedelta(days=7))
    with runtime.db.session() as session:
        athlete = session.get(Athlete, ATHLETE)
        assert athlete is not None
        assert (athlete.history_since, athlete.history_read_at) == (None, None)
    assert Inbox(runtime.db, 60).dead_letters() == [] and Jobs(runtime.db).dead_letters() == []


def test_stravas_units_expire_with_the_history_and_the_athletes_own_choice_stays(
    runtime: Runtime,
) -> None:
    seed(runtime, fetched_days_ago=8, first_id=1)
    with runtime.db.session() as session:
        session.add(Athlete(id=ATHLETE + 1, access_token="a", refresh_token="r", expires_at=0,
                            scope="s", units="imperial", units_chosen=True,
                            history_read_at=utcnow() - timedelta(days=8)))
        athlete = session.get(Athlete, ATHLETE)
        assert athlete is not None
        athlete.units = "imperial"  # as Strava's measurement preference said
    purge(runtime.db, timedelta(days=7))
    with runtime.db.session() as session:
        units = dict(session.execute(select(Athlete.id, Athlete.units)).all())
    assert units == {ATHLETE: STRAVA_UNITS_UNREAD, ATHLETE + 1: "imperial"}


def test_the_age_of_the_oldest_strava_row_is_known_and_none_once_everything_is_purged(
    runtime: Runtime,
) -> None:
    seed(runtime, fetched_days_ago=3, first_id=1)
    with runtime.db.session() as session:
        oldest = oldest_fetch(session)
    assert oldest is not None
    assert timedelta(days=3) <= utcnow() - oldest < timedelta(days=3, minutes=5)
    purge(runtime.db, timedelta(days=2))
    with runtime.db.session() as session:
        assert oldest_fetch(session) is None


def test_a_block_digest_goes_with_the_read_it_came_from(runtime: Runtime) -> None:
    seed(runtime, fetched_days_ago=1, first_id=1)
    with runtime.db.session() as session:
        row = session.get(Activity, 1)
        assert row is not None
        row.block_digest, row.block_written_at = "0" * 64, utcnow() - timedelta(days=8)
    purge(runtime.db, timedelta(days=7))
    with runtime.db.session() as session:
        row = session.get(Activity, 1)
        assert row is not None and (row.block_digest, row.block_written_at) == (None, None)


def test_a_deleted_activity_leaves_only_its_delete_event_which_holds_ids_only(
    runtime: Runtime,
) -> None:
    seed(runtime, fetched_days_ago=1, first_id=1)
    with runtime.db.session() as session:
        session.add(InboxEvent(dedup_key="gone", object_type="activity", aspect_type="delete",
                               object_id=1, owner_id=ATHLETE, event_time=1, status="done"))
    forget_activity(runtime, ATHLETE, 1)
    with runtime.db.session() as session:
        events = session.scalars(select(InboxEvent)).all()
        assert [(e.aspect_type, e.updates) for e in events] == [("delete", "{}")]
        assert session.get(Activity, 1) is None


def test_deauthorization_deletes_the_athlete_with_their_queued_and_dead_letters(
    runtime: Runtime,
) -> None:
    seed(runtime, fetched_days_ago=1, first_id=1)
    Jobs(runtime.db).unsent("backfill", "backfill", ATHLETE, "Redis down")
    forget_athlete(runtime, ATHLETE, revoke=False)
    assert held(runtime) == {"activities": 0, "inbox_events": 0, "stranded_jobs": 0,
                             "athletes": 0}
