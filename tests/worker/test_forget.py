"""Forgetting an athlete: everything about them goes, in the database and in Redis, and a
revoke Strava refused is tried again without keeping anything but the tokens."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import dramatiq
import pytest
import requests
import requests.adapters
from cryptography.fernet import Fernet
from sqlalchemy import func, inspect, select, update

from tests.polling import wait_until
from tests.support import http
from tests.support.athlete import ATHLETE, connect, expire_history, upload
from tests.support.commands import output
from tests.support.doubles import Records, Unreachable
from tests.support.tasks import WAIT_S, faults, inbox_event, load_tasks, wait_status
from tests.worker.conftest import make_settings, sandbox_calls
from worker import admin, forget
from worker.budget import QuotaExhausted
from worker.devstack import free_port
from worker.forget import REVOKE_DELAYS_S, REVOKE_KEPT_AT_MOST, retry_revokes
from worker.models import Athlete, Base, InboxEvent, PendingRevoke, utcnow
from worker.queue import BACKFILL, BACKFILL_QUEUE, BACKFILL_STREAMS, HANDLE_EVENT, LIVE_QUEUE
from worker.queue import enqueue as send
from worker.runtime import Runtime
from worker.strava import StravaGrantGone
from worker.sweeper import sweep
from worker.tasks import Actors

OTHER = 5151


class Counting(requests.adapters.BaseAdapter):
    """Counts what would go to Strava, and sends nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    def send(self, request: requests.PreparedRequest, *args: Any,
             **kwargs: Any) -> requests.Response:
        self.sent += 1
        raise requests.ConnectionError("not sent")

    def close(self) -> None:
        pass


class Strava:
    """Cut the runtime off from Strava, and connect it again."""

    def __init__(self, rt: Runtime) -> None:
        self.session = rt.gateway.session
        self.adapters = dict(self.session.adapters)

    def cut(self, adapter: requests.adapters.BaseAdapter | None = None) -> None:
        for prefix in self.adapters:
            self.session.mount(prefix, adapter or Unreachable())

    def restore(self) -> None:
        for prefix, adapter in self.adapters.items():
            self.session.mount(prefix, adapter)


#: Seconds a test's revoke retries need before the quota window resets.
QUIET_S = 5.0


def pending(rt: Runtime) -> list[PendingRevoke]:
    with rt.db.session() as session:
        return list(session.scalars(select(PendingRevoke)).all())


def make_due(rt: Runtime) -> None:
    """Every pending revoke due now, with the quota's short window QUIET_S from its reset: in
    its last second the budget refuses everything, and the retry that follows would wait."""
    left = rt.budget.short_window_left()
    if left < QUIET_S:
        time.sleep(left + 0.05)
    with rt.db.session() as session:
        session.execute(update(PendingRevoke).values(next_try_at=utcnow() - timedelta(seconds=1)))


def plain_tokens(rt: Runtime) -> tuple[str, str]:
    with rt.db.session() as session:
        athlete = session.get(Athlete, ATHLETE)
        assert athlete is not None
        return rt.cipher.decrypt(athlete.access_token), rt.cipher.decrypt(athlete.refresh_token)


@pytest.fixture
def forget_log() -> Iterator[Records]:
    records, logger = Records(), logging.getLogger("worker.forget")
    level = logger.level
    logger.addHandler(records)
    logger.setLevel(logging.INFO)
    yield records
    logger.removeHandler(records)
    logger.setLevel(level)


def test_a_refused_revoke_keeps_only_the_tokens_and_the_sweeper_revokes_them_later(
    strava_runtime: Runtime,
) -> None:
    connect(strava_runtime)
    _, refresh_token = plain_tokens(strava_runtime)
    strava = Strava(strava_runtime)
    strava.cut()
    forget.forget_athlete(strava_runtime, ATHLETE, revoke=True)
    strava.restore()

    [kept] = pending(strava_runtime)
    assert {c["name"] for c in inspect(strava_runtime.db.engine).get_columns("pending_revokes")} \
        == {"id", "access_token", "refresh_token", "tries", "next_try_at", "created_at"}
    assert refresh_token not in kept.refresh_token  # encrypted, as on the athlete row
    assert forget.pending_revokes(strava_runtime) == 1
    assert "access not yet revoked at Strava  1" in output(admin.status, strava_runtime)[1]
    sweep(strava_runtime)  # not due yet
    assert sandbox_calls(strava_runtime, "POST /oauth/deauthorize") == 0

    make_due(strava_runtime)
    sweep(strava_runtime)
    assert pending(strava_runtime) == []
    assert sandbox_calls(strava_runtime, "POST /oauth/deauthorize") == 1
    with pytest.raises(StravaGrantGone):
        strava_runtime.gateway.refresh(refresh_token)  # the grant is dead at Strava


def forgotten_while_strava_is_cut(rt: Runtime) -> Strava:
    """The athlete connected, then forgotten while Strava cannot be reached: their revoke
    waits in pending_revokes. Returns the cut Strava, to restore or count through."""
    connect(rt)
    strava = Strava(rt)
    strava.cut()
    forget.forget_athlete(rt, ATHLETE, revoke=True)
    return strava


def test_a_deletion_in_a_quota_windows_last_second_revokes_once_the_window_resets(
    strava_runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
) -> None:
    connect(strava_runtime)
    budget, acquire = strava_runtime.budget, strava_runtime.budget.acquire
    refused = []

    def at_the_edge(*args: Any, **kwargs: Any) -> Any:
        if not refused:  # the first reservation meets the window's last second
            refused.append(time.time())
            raise QuotaExhausted("the short window is about to reset", time.time() + 0.3)
        return acquire(*args, **kwargs)

    monkeypatch.setattr(budget, "acquire", at_the_edge)
    forget.forget_athlete(strava_runtime, ATHLETE, revoke=True)
    assert refused
    assert pending(strava_runtime) == []
    assert sandbox_calls(strava_runtime, "POST /oauth/deauthorize") == 1


def test_a_revoke_strava_keeps_refusing_waits_longer_each_time_then_is_given_up(
    strava_runtime: Runtime, forget_log: Records,
) -> None:
    forgotten_while_strava_is_cut(strava_runtime)
    waits = []
    for _ in REVOKE_DELAYS_S:
        make_due(strava_runtime)
        before = utcnow()
        assert retry_revokes(strava_runtime) == 1
        waits += [(row.next_try_at - before).total_seconds() for row in pending(strava_runtime)]
    assert pending(strava_runtime) == []
    assert len(waits) == len(REVOKE_DELAYS_S) - 1
    assert waits == sorted(waits) and len(set(int(w) for w in waits)) == len(waits)
    assert any("given up after 7 failed tries" in r.getMessage() and r.levelno == logging.WARNING
               for r in forget_log.records)


def test_a_retry_the_budget_refuses_sends_nothing_and_costs_no_try(
    strava_runtime: Runtime,
) -> None:
    strava = forgotten_while_strava_is_cut(strava_runtime)
    counting = Counting()
    strava.cut(counting)
    strava_runtime.budget.pause(600, "test: quota spent")
    make_due(strava_runtime)
    retry_revokes(strava_runtime)
    [kept] = pending(strava_runtime)
    assert counting.sent == 0
    assert kept.tries == 0
    assert kept.next_try_at > utcnow() + timedelta(seconds=500)


def test_a_grant_strava_already_refuses_is_done_with_and_nothing_is_kept_past_48_hours(
    strava_runtime: Runtime, forget_log: Records,
) -> None:
    strava = forgotten_while_strava_is_cut(strava_runtime)
    strava.restore()
    http.post(f"{strava_runtime.settings.strava_base_url}/_sandbox/athletes/{ATHLETE}"
              "/deauthorize").raise_for_status()  # the athlete removed the app meanwhile
    make_due(strava_runtime)
    retry_revokes(strava_runtime)
    assert pending(strava_runtime) == []
    assert any("already dead" in r.getMessage() for r in forget_log.records)

    with strava_runtime.db.session() as session:
        session.add(PendingRevoke(access_token="a", refresh_token="r", tries=0,
                                  next_try_at=utcnow() + timedelta(hours=1),
                                  created_at=utcnow() - REVOKE_KEPT_AT_MOST
                                  - timedelta(minutes=1)))
    counting = Counting()
    strava.cut(counting)
    retry_revokes(strava_runtime)
    assert pending(strava_runtime) == [] and counting.sent == 0


@pytest.fixture
def tasks(strava_runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[Actors]:
    actors = load_tasks(strava_runtime, monkeypatch)
    yield actors
    actors.runtime.db.dispose()


def messages_in_redis(rt: Runtime) -> list[tuple[str, list[Any]]]:
    """Every message dramatiq holds in Redis, waiting, delayed or dead: actor and arguments."""
    found = []
    for key in rt.redis.scan_iter("stridewise:*.msgs"):
        for data in rt.redis.hvals(key):
            message = dramatiq.Message.decode(data)
            found.append((message.actor_name, list(message.args)))
    return found


def test_forgetting_an_athlete_leaves_no_row_and_no_message_about_them(
    strava_runtime: Runtime, tasks: Actors,
) -> None:
    rt = strava_runtime
    connect(rt)
    connect(rt, OTHER)
    worker = dramatiq.Worker(tasks.runtime.broker, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        faults(rt, error_rate=1.0)
        dead_event = inbox_event(rt, upload(rt, "easy"))
        tasks.handle_event.send_with_options(args=(dead_event,), max_retries=0)
        assert wait_status(rt, dead_event, "dead") == "dead"
        expire_history(rt)  # else the connect's own backfill may have read it: nothing to do
        tasks.backfill_athlete.send_with_options(args=(ATHLETE,), max_retries=0)
        assert wait_until(lambda: bool(rt.jobs.dead_letters()), timeout=WAIT_S)
    finally:
        worker.stop()
        faults(rt)
    waiting_event = inbox_event(rt, upload(rt, "tempo", seed=2))
    rt.redis.delete("stridewise:live", "stridewise:live.msgs", "stridewise:backfill",
                    "stridewise:backfill.msgs")  # the connects' own jobs, run or not
    send(rt.broker, HANDLE_EVENT, LIVE_QUEUE, waiting_event)
    send(rt.broker, BACKFILL, BACKFILL_QUEUE, ATHLETE)
    send(rt.broker, BACKFILL_STREAMS, BACKFILL_QUEUE, ATHLETE, delay_ms=600_000)
    send(rt.broker, BACKFILL, BACKFILL_QUEUE, OTHER)
    rt.jobs.unsent(BACKFILL, BACKFILL_QUEUE, ATHLETE, "Redis down")
    queued = messages_in_redis(rt)
    assert (HANDLE_EVENT, [dead_event]) in queued and (BACKFILL, [ATHLETE]) in queued  # dead

    forget.forget_athlete(rt, ATHLETE, revoke=False)

    with rt.db.session() as session:
        for table in Base.metadata.sorted_tables:
            for column in ("athlete_id", "owner_id"):
                if column in table.c:
                    assert session.scalar(select(func.count()).select_from(table).where(
                        table.c[column] == ATHLETE)) == 0, table.name
        assert session.scalar(select(func.count()).select_from(InboxEvent)) == 0
    left = messages_in_redis(rt)  # the other athlete's, and its connect's backfill being retried
    assert left and all(message == (BACKFILL, [OTHER]) for message in left)
    for queue in ("live", "backfill", "backfill.DQ"):
        ids = rt.redis.lrange(f"stridewise:{queue}", 0, -1)
        assert all(rt.redis.hexists(f"stridewise:{queue}.msgs", i) for i in ids), queue
    for queue in ("live", "backfill"):
        ids = rt.redis.zrange(f"stridewise:{queue}.XQ", 0, -1)
        assert ids == [], queue
    assert rt.redis.keys(f"stridewise:quota:athlete:{ATHLETE}:*") == []


def test_an_athlete_is_forgotten_in_the_database_while_redis_is_down(
    tmp_path: Path, runtime: Runtime,
) -> None:
    with runtime.db.session() as session:
        session.add(Athlete(id=ATHLETE, access_token="a", refresh_token="r", expires_at=0,
                            scope="s"))
    down = Runtime(make_settings(tmp_path, runtime.settings.database_url,
                                 f"redis://127.0.0.1:{free_port()}/0"))
    try:
        forget.forget_athlete(down, ATHLETE, revoke=False)
    finally:
        down.db.dispose()
    with runtime.db.session() as session:
        assert session.get(Athlete, ATHLETE) is None


def test_rotate_keys_re_encrypts_the_tokens_kept_for_a_revoke(
    tmp_path: Path, redis_url: str, runtime: Runtime,
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keyed = {keys: Runtime(make_settings(tmp_path, runtime.settings.database_url, redis_url,
                                         TOKEN_KEYS=keys))
             for keys in (old, f"{new},{old}", new)}
    with runtime.db.session() as session:
        session.add(PendingRevoke(access_token=keyed[old].cipher.encrypt("access"),
                                  refresh_token=keyed[old].cipher.encrypt("refresh"), tries=0,
                                  next_try_at=utcnow()))
    try:
        assert output(admin.rotate_keys, keyed[f"{new},{old}"])[0] == 0
        [kept] = pending(runtime)
        assert keyed[new].cipher.decrypt(kept.access_token) == "access"
        assert keyed[new].cipher.decrypt(kept.refresh_token) == "refresh"
    finally:
        for rt in keyed.values():
            rt.db.dispose()
