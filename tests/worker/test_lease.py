"""The lease heartbeat: a running attempt keeps its inbox event, a finished one lets it go."""

from __future__ import annotations

import time

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.brokers.stub import StubBroker

from tests.polling import wait_until
from worker.inbox import Inbox
from worker.lease import Heartbeat
from worker.models import Athlete
from worker.queue import HANDLE_EVENT, LIVE_QUEUE
from worker.runtime import Runtime

ATHLETE = 43
#: Short, so that an attempt several leases long takes a few seconds.
LEASE_S = 1.0


def recorded_event(runtime: Runtime, inbox: Inbox) -> int:
    with runtime.db.session() as session:
        session.add(Athlete(id=ATHLETE, access_token="a", refresh_token="r", expires_at=0,
                            scope="activity:write"))
    [event_id] = inbox.record([{"aspect_type": "create", "event_time": 1_700_000_000,
                                "object_id": 7, "object_type": "activity",
                                "owner_id": ATHLETE, "updates": {}}])[1]
    return event_id


def test_an_attempt_keeps_its_events_lease_while_it_runs_and_lets_it_run_out_after(
    runtime: Runtime,
) -> None:
    inbox = Inbox(runtime.db, LEASE_S)
    event_id = recorded_event(runtime, inbox)
    broker = StubBroker()
    message = MessageProxy(dramatiq.Message(queue_name=LIVE_QUEUE, actor_name=HANDLE_EVENT,
                                            args=(event_id,), kwargs={}, options={}))
    heartbeat = Heartbeat(inbox, HANDLE_EVENT)
    heartbeat.after_worker_boot(broker, None)
    try:
        heartbeat.before_process_message(broker, message)
        time.sleep(3 * LEASE_S)  # an attempt three leases long
        assert inbox.reclaim_stale() == []
        heartbeat.after_process_message(broker, message)
        # its worker is gone: within two leases the sweeper takes it
        assert wait_until(lambda: inbox.reclaim_stale() == [event_id], timeout=2 * LEASE_S,
                          interval=0.05)
    finally:
        heartbeat.before_worker_shutdown(broker, None)
        broker.close()
