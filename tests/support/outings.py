"""Two weeks of one athlete's runs, one of them saved as two files minutes apart, and how they
are stored as the worker stores its analyses: what the tests of elapsed time and outings read
back from the cache."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from analysis import engine
from analysis.model import Activity as Recording
from worker.cache import save_record
from worker.models import Athlete
from worker.runtime import Runtime
from worker.strava import TokenGrant
from worker.web.oauth import SCOPE

ATHLETE = 2301
NOW = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
STOPPED_S = 12 * 60.0  # the first file's watch stood still this long before it was saved
GAP_S = 3 * 60.0  # from the end of the first file to the start of the second


def run(start: datetime, moving_s: float, stopped_s: float = 0.0) -> Recording:
    return Recording(sport="Run", start=start, elapsed_s=moving_s + stopped_s, moving_s=moving_s,
                     distance_m=moving_s * 3.0, name="Run")


def recordings() -> list[Recording]:
    """Two weeks of easy runs, one of them saved as two files: the first stood still for
    STOPPED_S at its end, the second started GAP_S later; the last run is the current one."""
    days = [13, 11, 9, 7, 5, 3]
    runs = [run(NOW - timedelta(days=d, hours=8), 45 * 60.0) for d in days]
    start = NOW - timedelta(days=1, hours=8)
    first = run(start, 30 * 60.0, STOPPED_S)
    second = run(start + timedelta(seconds=first.elapsed_s + GAP_S), 20 * 60.0)
    return [*runs, first, second, run(NOW - timedelta(hours=1), 40 * 60.0)]


def store(rt: Runtime, analyses: list[engine.Analysis]) -> None:
    with rt.db.session() as session:
        athlete = Athlete(id=ATHLETE, scope=SCOPE, expires_at=int(time.time()) + 3600)
        rt.tokens.store(athlete, TokenGrant("access", "refresh", athlete.expires_at, None))
        session.add(athlete)
        session.flush()
        for a in analyses:
            assert a.record.activity_id is not None
            save_record(session, ATHLETE, a.record.activity_id, a, used_streams=False)
