"""Backfill on connect: a few list requests, then streams only while the budget has room."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from analysis.classify import STEADY
from analysis.model import STRAVA_RUN_WORKOUT, Workout
from tests.support import http
from tests.support.athlete import connect
from tests.support.history import ATHLETE, seed_history
from tests.worker.conftest import sandbox_stats
from worker import preferences
from worker.backfill import activity_from_row, backfill, fetch_streams
from worker.budget import QuotaExhausted, across_resets
from worker.models import Activity, Athlete
from worker.runtime import Runtime


def backfilled(rt: Runtime) -> None:
    """Six weeks of history at the sandbox, connected and backfilled from their summaries."""
    seed_history(rt, days=42)
    connect(rt, ATHLETE)
    across_resets(lambda: backfill(rt, ATHLETE))


def counts(rt: Runtime) -> tuple[int, int]:
    with rt.db.session() as session:
        total = session.scalar(select(func.count()).select_from(Activity))
        waiting = session.scalar(select(func.count()).select_from(Activity)
                                 .where(Activity.needs_streams.is_(True)))
    return int(total or 0), int(waiting or 0)


def test_backfill_stores_the_recent_weeks_with_a_few_list_requests(
    strava_runtime: Runtime,
) -> None:
    seeded = seed_history(strava_runtime)
    connect(strava_runtime, ATHLETE)
    http.post(f"{strava_runtime.settings.strava_base_url}/_sandbox/stats/reset")
    stored = across_resets(lambda: backfill(strava_runtime, ATHLETE))
    assert stored == len(seeded)
    assert sandbox_stats(strava_runtime)["requests"] == 2  # the athlete, one page of activities
    with strava_runtime.db.session() as session:
        athlete = session.get(Athlete, ATHLETE)
        assert athlete is not None and athlete.history_read_at is not None


def test_backfill_keeps_the_units_the_athlete_chose_in_settings(
    strava_runtime: Runtime,
) -> None:
    seed_history(strava_runtime)
    connect(strava_runtime, ATHLETE)
    with strava_runtime.db.session() as session:
        athlete = session.get(Athlete, ATHLETE)
        assert athlete is not None
        chosen = "imperial" if athlete.units == "metric" else "metric"
        preferences.save(session, ATHLETE, replace(preferences.of(athlete), units=chosen))
    across_resets(lambda: backfill(strava_runtime, ATHLETE))
    with strava_runtime.db.session() as session:
        athlete = session.get(Athlete, ATHLETE)
        assert athlete is not None and athlete.units == chosen


def test_streams_pass_reanalyses_undecided_activities_and_stops_when_the_budget_is_short(
    strava_runtime: Runtime,
) -> None:
    backfilled(strava_runtime)
    total, waiting = counts(strava_runtime)
    assert 0 < waiting < total  # some summaries decide, some do not

    strava_runtime.budget.pause(60, "test: quota spent")
    with pytest.raises(QuotaExhausted):
        fetch_streams(strava_runtime, ATHLETE)
    assert counts(strava_runtime)[1] == waiting
    strava_runtime.redis.flushdb()

    http.post(f"{strava_runtime.settings.strava_base_url}/_sandbox/stats/reset")
    while across_resets(lambda: fetch_streams(strava_runtime, ATHLETE, batch=5)):
        pass
    assert counts(strava_runtime) == (total, 0)
    assert sandbox_stats(strava_runtime)["by_endpoint"] == {"GET /activities/{id}/streams": waiting}
    with strava_runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Activity)
                              .where(Activity.used_streams.is_(True))) > 0


def test_the_streams_pass_keeps_stravas_workout_flag_of_a_backfilled_activity(
    strava_runtime: Runtime,
) -> None:
    backfilled(strava_runtime)
    with strava_runtime.db.session() as session:
        row = session.scalars(select(Activity).where(Activity.needs_streams.is_(True),
                                                     Activity.sport == "Run")).first()
        assert row is not None
        row.workout_type = STRAVA_RUN_WORKOUT  # as if the athlete had flagged it a workout
        flagged = row
    reread = activity_from_row(flagged, {})
    assert reread.workout_type == STRAVA_RUN_WORKOUT
    while across_resets(lambda: fetch_streams(strava_runtime, ATHLETE, batch=20)):
        pass
    with strava_runtime.db.session() as session:
        after = session.get(Activity, flagged.id)
        assert after is not None and after.workout_type == STRAVA_RUN_WORKOUT
        assert after.used_streams
        # The live path's rule: a run Strava calls a workout is never filed as a steady run.
        assert Workout(after.workout) not in STEADY
