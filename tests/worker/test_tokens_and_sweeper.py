"""Token refresh under the per-athlete lock, and the inbox sweeper."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update
from starlette.testclient import TestClient

from tests.support import http
from tests.worker.conftest import TOKEN, sandbox_calls
from worker.inbox import KEEP_FINISHED_DAYS
from worker.models import Athlete, InboxEvent, utcnow
from worker.runtime import Runtime
from worker.strava import TokenGrant
from worker.sweeper import sweep
from worker.web import create_app

ATHLETE = 91


def connect(rt: Runtime) -> None:
    client = TestClient(create_app(rt), base_url=rt.settings.public_url)
    to_strava = client.get("/connect", follow_redirects=False)
    approved = http.get(to_strava.headers["location"] + f"&sandbox_athlete={ATHLETE}")
    back = urlsplit(approved.headers["location"])
    assert client.get(f"{back.path}?{back.query}").status_code == 200


def connect_with_an_expired_token(rt: Runtime) -> None:
    connect(rt)
    with rt.db.session() as session:
        session.execute(update(Athlete).values(expires_at=int(time.time()) - 10))


def test_twenty_concurrent_jobs_with_an_expired_token_refresh_once(
    strava_runtime: Runtime,
) -> None:
    connect_with_an_expired_token(strava_runtime)
    before = sandbox_calls(strava_runtime, TOKEN)
    tokens: list[str] = []
    barrier = threading.Barrier(20)

    def job() -> None:
        barrier.wait()
        tokens.append(strava_runtime.tokens.access_token(ATHLETE))

    threads = [threading.Thread(target=job) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sandbox_calls(strava_runtime, TOKEN) - before == 1
    assert len(set(tokens)) == 1 and len(tokens) == 20
    athlete = http.get(f"{strava_runtime.settings.strava_base_url}/api/v3/athlete",
                       headers={"Authorization": f"Bearer {tokens[0]}"})
    assert athlete.status_code == 200


def test_sweeper_re_enqueues_only_stale_pending_events(runtime: Runtime) -> None:
    runtime.redis.flushdb()
    with runtime.db.session() as session:
        session.add(Athlete(id=ATHLETE, access_token="a", refresh_token="r", expires_at=0,
                            scope="activity:write"))
        for key, status, age in (("stale", "pending", 600), ("fresh", "pending", 1),
                                 ("done", "done", 600)):
            session.add(InboxEvent(
                dedup_key=key, object_type="activity", aspect_type="create", object_id=1,
                owner_id=ATHLETE, event_time=1, status=status,
                lease_until=utcnow() + timedelta(seconds=runtime.settings.lease_s - age)))
    assert sweep(runtime) == 1
    assert runtime.redis.hlen("stridewise:live.msgs") == 1
    assert sweep(runtime) == 0  # claimed: its lease moved forward


def test_finished_events_are_pruned_after_the_keeping_period_and_dead_letters_stay(
    runtime: Runtime,
) -> None:
    old = utcnow() - timedelta(days=KEEP_FINISHED_DAYS + 1)
    with runtime.db.session() as session:
        for key, status, finished in (("old-done", "done", old), ("old-dead", "dead", old),
                                      ("new-done", "done", utcnow())):
            session.add(InboxEvent(dedup_key=key, object_type="activity", aspect_type="create",
                                   object_id=1, owner_id=ATHLETE, event_time=1, status=status,
                                   finished_at=finished))
    assert runtime.inbox.prune() == 1
    with runtime.db.session() as session:
        assert {e.dedup_key for e in session.scalars(select(InboxEvent))} == {"old-dead",
                                                                               "new-done"}


def test_no_database_connection_is_held_while_strava_answers_a_refresh(
    strava_runtime: Runtime,
) -> None:
    connect_with_an_expired_token(strava_runtime)
    gateway = strava_runtime.tokens.gateway
    held: list[int] = []
    real_refresh = gateway.refresh

    def watched_refresh(refresh_token: str) -> TokenGrant:
        held.append(strava_runtime.db.engine.pool.checkedout())  # type: ignore[attr-defined]
        return real_refresh(refresh_token)

    gateway.refresh = watched_refresh  # type: ignore[method-assign]
    token = strava_runtime.tokens.access_token(ATHLETE)
    assert held == [0]
    with strava_runtime.db.session() as session:
        athlete = session.get(Athlete, ATHLETE)
        assert athlete is not None and athlete.expires_at > time.time()
    assert token
