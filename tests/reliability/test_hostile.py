"""Forged webhook traffic against a running stack: it changes nothing and costs little.

An outsider knows the documented route, may guess athlete and activity ids, and in the worst
case has learnt the secret path. Each test posts well-formed forgeries, as such a person would,
to real sandbox, web and worker processes.
"""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from sqlalchemy import select

from tests.polling import wait_until
from tests.reliability.harness import LiveStack, address_of
from tests.support import http
from worker.models import Athlete, InboxEvent, PushSubscription
from worker.web.ratelimit import OAUTH_BURST

pytestmark = pytest.mark.e2e

VICTIM = 5401
OTHER = 5402
#: An athlete whose sign-in comes from an address that has used its allowance.
FLOODER = 5403
#: The athlete whose events arrive while slow clients hold the web process's connections.
SLOWED = 5409
#: An athlete signing in from another address right after the flood.
NEIGHBOUR = 5410
#: Forged creates through the secret path, for activities that do not exist.
FORGED = 30
#: Reads a forged create may cost: the first and three more (worker.sync.NOT_FOUND_DELAYS_S).
MOST_READS = 4
#: Forged creates posted to the documented route and to a wrong secret.
WRONG_PATH = 200
#: Slow clients holding connections open while Strava's events arrive.
SLOW = 500
SETTLE_S = 90
#: Ids no sandbox activity has.
FAR_IDS = 9_000_000_000


def forged(live: LiveStack, aspect: str, object_id: int, owner: int,
           object_type: str = "activity", updates: dict[str, str] | None = None) -> dict[str, Any]:
    with live.db.session() as session:
        subscription = session.scalar(select(PushSubscription.id))
    return {"aspect_type": aspect, "event_time": int(time.time()), "object_id": object_id,
            "object_type": object_type, "owner_id": owner, "subscription_id": subscription,
            "updates": updates or {}}


def deauthorization_finished(live: LiveStack) -> bool:
    with live.db.session() as session:
        status = session.scalar(select(InboxEvent.status)
                                .where(InboxEvent.object_type == "athlete",
                                       InboxEvent.owner_id == VICTIM))
    return status not in (None, "pending")


def reads_of(live: LiveStack, ids: range) -> dict[int, int]:
    by_activity = live.stats()["by_activity"]
    return {i: int(by_activity.get(str(i), 0)) for i in ids}


def test_forgeries_change_nothing_and_cost_at_most_four_reads_each(live: LiveStack) -> None:
    live.begin(VICTIM, OTHER)
    stored_before = live.inbox_total()
    wrong = range(FAR_IDS, FAR_IDS + WRONG_PATH)
    for n, object_id in enumerate(wrong):
        path = "/webhook" if n % 2 else "/webhook/not-the-secret"
        answer = http.post(live.settings.public_url + path,
                           json=forged(live, "create", object_id, VICTIM), timeout=10)
        assert answer.status_code == 404
    assert live.inbox_total() == stored_before

    deauthorization = forged(live, "update", VICTIM, VICTIM, "athlete", {"authorized": "false"})
    assert live.post_event(deauthorization).status_code == 200
    secret = range(FAR_IDS + WRONG_PATH, FAR_IDS + WRONG_PATH + FORGED)
    for object_id in secret:
        assert live.post_event(forged(live, "create", object_id, VICTIM)).status_code == 200
    real = live.upload(OTHER, 1, "mine") + live.upload(VICTIM, 1, "mine too")
    found = live.wait_for_blocks(real, timeout=SETTLE_S)

    assert sorted(found) == sorted(real)  # the other athlete, and the victim, still served
    assert wait_until(lambda: deauthorization_finished(live), timeout=SETTLE_S)
    with live.db.session() as session:
        victim = session.get(Athlete, VICTIM)
        assert victim is not None and victim.status == "active"
    assert sum(reads_of(live, wrong).values()) == 0
    assert all(n <= MOST_READS for n in reads_of(live, secret).values())


def test_slow_clients_do_not_stop_web_from_acknowledging_events(live: LiveStack) -> None:
    live.begin(SLOWED, worker=False)
    host, port = live.settings.public_url.split("//")[1].split(":")
    slow = []
    try:
        for _ in range(SLOW):
            sock = socket.create_connection((host, int(port)))
            sock.sendall(b"POST /webhook/x HTTP/1.1\r\nHost: x\r\n")  # and never more
            slow.append(sock)
        answers = [live.post_event(forged(live, "create", i, SLOWED)).status_code
                   for i in range(1, 21)]
    finally:
        for sock in slow:
            sock.close()
    assert answers == [200] * 20
    assert wait_until(lambda: live.inbox_total(SLOWED) == 20, timeout=10)


def test_a_sign_in_flood_from_one_address_is_refused_before_anything_reaches_strava(
    live: LiveStack,
) -> None:
    live.begin(worker=False)
    # An address of the flooder's own: the other tests' athletes sign in from theirs.
    with http.client(base_url=live.settings.public_url, timeout=10.0,
                     headers={"x-forwarded-for": address_of(FLOODER)}) as browser:
        to_strava = browser.get("/connect")  # the first of the address's allowance
        approved = http.get(to_strava.headers["location"] + f"&sandbox_athlete={FLOODER}",
                            timeout=10.0)
        for _ in range(OAUTH_BURST - 1):
            assert browser.get("/auth/callback?state=forged&code=c").status_code == 400
        exchanges = live.stats()["by_endpoint"].get("POST /oauth/token", 0)
        refused = browser.get(approved.headers["location"])
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert live.stats()["by_endpoint"].get("POST /oauth/token", 0) == exchanges
    with live.db.session() as session:
        assert session.get(Athlete, FLOODER) is None
    # The limit is the flooding address's alone: a neighbour still signs in at once.
    neighbour, page = live.sign_in(NEIGHBOUR)
    neighbour.close()
    assert page.url.path == "/me"
