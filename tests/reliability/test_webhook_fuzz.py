"""10,000 generated webhook bodies: no 5xx, and only valid events of ours stored and enqueued.

Hypothesis's own work per example (choosing what to try next, mutating, recording) cost more
than the web app's answer, so each example is a list of bodies posted in turn; and the bodies
are posted to the app's ASGI interface from within its event loop, a list at a time, rather
than each request handed across a thread (the test client's way), which cost several times
what the app's answer costs.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select
from starlette.testclient import TestClient

from tests.services import MigratedTemplates
from tests.support.webhook import BACKGROUND_RANDOM, hook
from tests.worker.conftest import make_settings
from worker.models import Athlete, InboxEvent, PushSubscription
from worker.runtime import Runtime
from worker.web import create_app
from worker.web.webhook import MAX_EVENT_AGE_S, MAX_EVENT_AHEAD_S

pytestmark = pytest.mark.e2e

SUBSCRIPTION = 880
ATHLETE = 41
EXAMPLES = 10_000
#: The bodies are posted in parts, each to a database and queue of its own, so that test
#: processes share the work instead of one of them doing all of it at the end of a run.
PARTS = 4
#: Distinct bodies each part posts.
PER_PART = EXAMPLES // PARTS
#: Bodies drawn per Hypothesis example, and the examples of a part: more bodies than are
#: posted, since Hypothesis draws the short ones (an empty body, ``null``, ``0``) again and
#: again; a body is posted once per part.
BATCH = 25
BATCHES = PER_PART * 14 // 10 // BATCH
#: Strava's event vocabulary (developers.strava.com/docs/webhooks).
OBJECT_TYPES = ("activity", "athlete")
ASPECT_TYPES = ("create", "update", "delete")
QUEUE = "stridewise:live.msgs"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=5,
)
ids = st.one_of(st.integers(0, 2**63 - 1), st.integers(-5, 2**64), st.booleans(), json_values)
plausible_ids = st.integers(0, 10**12)
#: Event times the webhook keeps: within the last hour, or a minute ahead (clock skew).
STARTED = int(time.time())
recent_times = st.integers(STARTED - 3600, STARTED + 60)
#: Values Strava sends in ``updates``; drawn from a list because generating text is slow.
update_values = st.booleans() | st.sampled_from(
    ["Morning Run", "Run", "Ride", "true", "false", "", "Ça va — 🙂", "x" * 300])


def valid_events() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({
        "object_type": st.sampled_from(OBJECT_TYPES),
        "aspect_type": st.sampled_from(ASPECT_TYPES),
        "object_id": plausible_ids,
        "owner_id": st.just(ATHLETE),
        "subscription_id": st.just(SUBSCRIPTION),
        "event_time": recent_times,
        "updates": st.dictionaries(st.sampled_from(["title", "type", "private", "authorized"]),
                                   update_values, max_size=3),
    })


#: What may replace one field of a valid event.
WILD = {"object_type": json_values, "aspect_type": json_values, "object_id": ids,
        "owner_id": ids, "subscription_id": ids, "event_time": ids, "updates": json_values}


#: Built once: a strategy built inside a draw is validated again at every draw, which cost
#: more than the drawing.
VALID_EVENTS = valid_events()
FIELDS_TO_CHANGE = st.sets(st.sampled_from(sorted(WILD)), min_size=1, max_size=2)


@st.composite
def mutated_events(draw: st.DrawFn) -> dict[str, Any]:
    """A valid event with one or two fields replaced by anything, or left out."""
    event = draw(VALID_EVENTS)
    for name in draw(FIELDS_TO_CHANGE):
        if draw(st.booleans()):
            event[name] = draw(WILD[name])
        else:
            del event[name]
    return event


bodies = st.one_of(
    VALID_EVENTS.map(lambda e: json.dumps(e).encode()),
    mutated_events().map(lambda e: json.dumps(e).encode()),
    mutated_events().map(lambda e: json.dumps(e).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    st.integers(1, 64).map(lambda depth: b"[" * depth * 100 + b"]" * depth * 100),
    st.integers(8 * 1024 - 10, 9 * 1024).map(lambda n: b'{"pad": "' + b"x" * n + b'"}'),
)
content_types = st.sampled_from(["application/json", "application/json", "application/json",
                                 "application/json; charset=utf-8", "text/plain", ""])


@pytest.fixture
def fuzz_runtime(tmp_path: Path, redis_url: str,
                 migrated_templates: MigratedTemplates) -> Iterator[Runtime]:
    rt = Runtime(make_settings(tmp_path, migrated_templates.sqlite_url(tmp_path), redis_url))
    # Each stored event is a commit; what a power cut would lose is not what this test is
    # about, so commits here are not flushed to the disk one by one.
    event.listen(rt.db.engine, "connect",
                 lambda connection, _record: connection.execute("PRAGMA synchronous=NORMAL"))
    rt.db.engine.dispose()
    with rt.db.session() as session:
        session.add(PushSubscription(id=SUBSCRIPTION, callback_url="http://x/webhook"))
        session.add(Athlete(id=ATHLETE, access_token="a", refresh_token="r", expires_at=0,
                            scope="activity:read_all,activity:write"))
    yield rt
    rt.db.dispose()


def counts(rt: Runtime) -> tuple[int, int]:
    with rt.db.session() as session:
        stored = int(session.scalar(select(func.count()).select_from(InboxEvent)) or 0)
    return stored, int(rt.redis.hlen(QUEUE))


def _id_sized(text: str) -> int:
    if len(text.lstrip("-")) > 20:
        raise ValueError(f"{len(text)} digits")
    return int(text)


def is_ours(body: bytes) -> bool:
    """A JSON object naming our subscription and athlete with Strava's types; ``updates`` may
    hold any short scalars (Strava sends strings; numbers are kept as their text). No integer
    anywhere in it is longer than a 64-bit id can be: 20 digits."""
    try:
        event = json.loads(body, parse_int=_id_sized)
    except (ValueError, RecursionError):
        return False
    if not isinstance(event, dict):
        return False
    ints = [event.get(k) for k in ("object_id", "owner_id", "subscription_id", "event_time")]
    updates = event.get("updates", {})
    return (all(type(v) is int and 0 <= v < 2**63 for v in ints)
            and -MAX_EVENT_AHEAD_S <= time.time() - event["event_time"] <= MAX_EVENT_AGE_S
            and event["subscription_id"] == SUBSCRIPTION and event["owner_id"] == ATHLETE
            and event.get("object_type") in OBJECT_TYPES
            and event.get("aspect_type") in ASPECT_TYPES
            and isinstance(updates, dict | None)
            and all(isinstance(v, str | bool | int | float) for v in (updates or {}).values()))


@BACKGROUND_RANDOM
@pytest.mark.parametrize("part", range(1, PARTS + 1))
# Hypothesis warns that the repr of a failing example's 25 bodies is large as it reports it;
# the warning, an error under this suite's settings, hid the failure it was reporting.
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
def test_generated_webhook_bodies_never_5xx_and_store_only_valid_events(
    fuzz_runtime: Runtime, part: int
) -> None:
    seen: dict[str, int] = {}
    accepted: set[tuple[Any, ...]] = set()
    posted: set[tuple[bytes, str]] = set()
    app = create_app(fuzz_runtime)
    url = f"http://testserver{hook(fuzz_runtime)}"

    async def post(batch: list[tuple[bytes, str]]) -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport) as client:
            return [await client.post(url, content=body, headers={"content-type": content_type})
                    for body, content_type in batch]

    # A seed of its own per part: Hypothesis seeds from the global random, which each test
    # starts seeded alike (pytest-randomly), so the parts posted the same bodies four times.
    # The run's seed still varies the bodies from run to run.
    @seed(random.getrandbits(64) + part)
    # No shrinking: a list of bodies shrinks for minutes, and the failing body is named in the
    # assertion's message as it is.
    @settings(max_examples=BATCHES, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(drawn=st.lists(st.tuples(bodies, content_types), min_size=BATCH, max_size=BATCH,
                          unique=True))
    def some(portal: Any, drawn: list[tuple[bytes, str]]) -> None:
        # Bodies posted by an earlier example are left out; they count once their example
        # passed, so that Hypothesis, replaying a failing example, posts the same bodies.
        batch = [pair for pair in drawn if pair not in posted][:PER_PART - len(posted)]
        for (body, content_type), answer in zip(batch, portal.call(post, batch), strict=True):
            outcome = str(answer.status_code)
            seen[outcome] = seen.get(outcome, 0) + 1
            sent = f"{content_type!r} body {body[:500]!r}: {answer.status_code} {answer.text}"
            assert answer.status_code < 500, sent
            if answer.status_code == 200:
                assert answer.json() == {"status": "received"}, sent  # stored or not, alike
            if is_ours(body) and content_type.startswith("application/json"):
                assert answer.status_code == 200, sent
                accepted.add(identity(json.loads(body)))
        posted.update(batch)

    started = time.monotonic()
    # The test client runs the app's startup and shutdown, and the event loop it posts in.
    with TestClient(app, raise_server_exceptions=False) as client:
        some(client.portal)
    elapsed = time.monotonic() - started
    stored, queued = counts(fuzz_runtime)
    with fuzz_runtime.db.session() as session:
        rows = session.scalars(select(InboxEvent)).all()
    print(f"part {part} of {PARTS}: {len(posted)} bodies in {elapsed:.0f} s: {seen}; "
          f"{stored} stored, {queued} queued")
    assert len(posted) == sum(seen.values()) == PER_PART, "too few distinct bodies drawn"
    assert {identity(row) for row in rows} == accepted
    assert stored == queued > 0
    for row in rows:
        assert row.owner_id == ATHLETE
        assert all(isinstance(v, str) for v in json.loads(row.updates).values())


def identity(event: dict[str, Any] | InboxEvent) -> tuple[Any, ...]:
    """What the inbox must hold of an accepted event."""
    if isinstance(event, InboxEvent):
        return (event.object_type, event.aspect_type, event.object_id, event.event_time)
    return (event["object_type"], event["aspect_type"], event["object_id"], event["event_time"])


@pytest.mark.parametrize("field", ["object_type", "aspect_type"])
@pytest.mark.parametrize("value", [[], {"a": 1}])
def test_a_list_or_object_as_event_type_is_refused_with_400(
    fuzz_runtime: Runtime, field: str, value: Any
) -> None:
    client = TestClient(create_app(fuzz_runtime), raise_server_exceptions=False)
    body = {"object_type": "activity", "aspect_type": "create", "object_id": 1,
            "owner_id": ATHLETE, "subscription_id": SUBSCRIPTION, "event_time": 1, field: value}
    answer = client.post(hook(fuzz_runtime), json=body)
    assert answer.status_code == 400
    assert counts(fuzz_runtime) == (0, 0)
