"""Each activity's elapsed time is kept, so that a history read from the cache joins files
minutes apart into one outing as the files themselves do (issue 20)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import inspect, select, update

from analysis import engine
from analysis.model import Activity as Recording
from analysis.model import SessionRecord
from analysis.profile import build_profile
from analysis.training import OUTING_GAP_S, Past, TrainingSummary, outings, summarize
from tests.support.outings import ATHLETE, GAP_S, STOPPED_S, recordings, store
from tests.worker.conftest import make_settings
from worker import context
from worker.backfill import activity_from_row
from worker.cache import record_of, save_record
from worker.migrate import downgrade, upgrade
from worker.models import Activity
from worker.runtime import Runtime


def analysed(recording: list[Recording]) -> list[engine.Analysis]:
    profile = build_profile([])
    return [engine.analyse(r, profile, activity_id=ATHLETE * 100 + i)
            for i, r in enumerate(recording)]


def cached(rt: Runtime) -> list[SessionRecord]:
    """The athlete's records as the worker reads them, oldest first."""
    with rt.db.read() as session:
        loaded = context.load(session, ATHLETE)
    assert loaded is not None
    return sorted((c.record for c in loaded.cached.values()), key=lambda r: r.start)


def weeks(records: list[SessionRecord]) -> TrainingSummary:
    """The block's figures for the last record, the others its past."""
    *before, current = records
    now = current.start + timedelta(seconds=current.elapsed_s or current.moving_s)
    return summarize(current, Past(tuple(before), before[0].start), now)


def test_two_files_minutes_apart_are_one_outing_after_a_trip_through_the_database(
    runtime: Runtime,
) -> None:
    analyses = analysed(recordings())
    files = [a.record for a in analyses]
    assert STOPPED_S + GAP_S > OUTING_GAP_S > GAP_S  # apart by moving time, not by elapsed
    assert len(outings(files)[0]) == len(files) - 1
    store(runtime, analyses)
    from_cache = cached(runtime)
    by_files, by_cache = weeks(files), weeks(from_cache)
    assert by_files.consistency is not None and by_cache.consistency is not None
    assert by_cache.consistency.runs == by_files.consistency.runs == len(files) - 1
    assert by_cache.consistency.weekly_distance_m == by_files.consistency.weekly_distance_m
    assert by_cache.earlier_sessions == by_files.earlier_sessions
    assert [r.elapsed_s for r in from_cache] == [r.elapsed_s for r in files]


def test_the_streams_pass_reads_the_stored_elapsed_time_not_the_moving_time(
    runtime: Runtime,
) -> None:
    analyses = analysed(recordings())
    store(runtime, analyses)
    with runtime.db.session() as session:
        rows = session.scalars(select(Activity).order_by(Activity.start_date)).all()
        paused = [r for r in rows if r.elapsed_s is not None and r.elapsed_s > r.moving_s]
        assert paused
        assert [activity_from_row(r, {}).elapsed_s for r in paused] == \
            [r.elapsed_s for r in paused]


def test_a_row_stored_before_the_elapsed_time_was_kept_joins_on_its_moving_time(
    runtime: Runtime,
) -> None:
    analyses = analysed(recordings())
    store(runtime, analyses)
    with runtime.db.session() as session:
        session.execute(update(Activity).values(elapsed_s=None))
    from_cache = cached(runtime)
    assert all(r.elapsed_s is None for r in from_cache)
    moving_only = [replace(a.record, elapsed_s=None) for a in analyses]
    assert len(outings(moving_only)[0]) == len(moving_only)  # the two files stay apart
    by_moving, by_cache = weeks(moving_only), weeks(from_cache)
    assert by_cache.consistency is not None and by_moving.consistency is not None
    assert by_cache.consistency.runs == by_moving.consistency.runs == len(moving_only)


def test_the_elapsed_migration_goes_down_keeping_the_activities_and_up_again(
    tmp_path: Path, database_url: str, redis_url: str,
) -> None:
    rt = Runtime(make_settings(tmp_path, database_url, redis_url))
    try:
        upgrade(rt.db.engine)
        analyses = analysed(recordings())
        store(rt, analyses)
        downgrade(rt.db.engine, "0014")
        assert "elapsed_s" not in {c["name"] for c in inspect(rt.db.engine).get_columns(
            "activities")}
        upgrade(rt.db.engine)
        assert "elapsed_s" in {c["name"] for c in inspect(rt.db.engine).get_columns(
            "activities")}
        with rt.db.session() as session:
            rows = session.scalars(select(Activity).order_by(Activity.start_date)).all()
            assert len(rows) == len(analyses)
            assert all(record_of(row).elapsed_s is None for row in rows)
            assert [record_of(row).moving_s for row in rows] == \
                [a.record.moving_s for a in analyses]
            row = rows[0]
            save_record(session, ATHLETE, row.id, analyses[0], used_streams=False)
            assert record_of(row).elapsed_s == analyses[0].record.elapsed_s
    finally:
        rt.db.dispose()
