"""No athlete token and no client secret in clear: not in any database column, not in any log."""

from __future__ import annotations

import fcntl
import os
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.polling import wait_until
from tests.reliability.harness import LiveStack
from worker.models import Athlete
from worker.runtime import Runtime

pytestmark = pytest.mark.e2e

ATHLETES = (5601, 5602)
UPLOADS = 4
#: Shorter than the worker's refresh margin (600 s): every job refreshes, so tokens rotate.
TOKEN_TTL_S = 300


@dataclass(frozen=True)
class Run:
    """What one e2e run leaves behind: the secrets it used, the database and the logs."""

    secrets: frozenset[str]
    dump: dict[str, list[dict[str, Any]]]
    logs: dict[str, str]


def tokens_in_clear(runtime: Runtime, athletes: tuple[int, ...] | None = None) -> set[str]:
    """The access and refresh tokens of ``athletes`` (default: every athlete), decrypted with
    the stack's own keys."""
    query = select(Athlete)
    if athletes is not None:
        query = query.where(Athlete.id.in_(athletes))
    with runtime.db.session() as session:
        rows = session.scalars(query).all()
    return {runtime.cipher.decrypt(t) for a in rows for t in (a.access_token, a.refresh_token)}


@pytest.fixture(scope="module")
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """One run for the whole test session: pytest-xdist may hand this module's tests to
    several processes, and the first to need the run does it on its shared stack while the
    others wait for what it leaves (a file in the session's shared temporary directory)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # every process's base directory is in the session's
    with open(shared / "secrecy.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = shared / "secrecy.pickle"
        if not saved.exists():
            # Asked for here only: a process that finds the run done starts no stack for it.
            live: LiveStack = request.getfixturevalue("shared_stack")
            saved.write_bytes(pickle.dumps(_run(live)))
        found: Run = pickle.loads(saved.read_bytes())
    yield found


def _run(live: LiveStack) -> Run:
    """Connect and upload on the shared stack with the athletes' tokens living 300 s, then
    take the database and the logs; every process's log as it stands, earlier tests' included."""
    runtime = Runtime(live.settings)
    try:
        live.begin()
        with live.token_ttl(ATHLETES, TOKEN_TTL_S):
            for athlete in ATHLETES:
                live.connect(athlete)
            first = tokens_in_clear(runtime, ATHLETES)
            ids = [a for athlete in ATHLETES for a in live.upload(athlete, UPLOADS, "Token run.")]
            found = live.wait_for_blocks(ids, timeout=60)
            assert len(found) == len(ids)
            assert wait_until(lambda: "pending" not in live.inbox_statuses(*ATHLETES),
                              timeout=30)
            last = tokens_in_clear(runtime, ATHLETES)
            everyone = tokens_in_clear(runtime)
            dump = live.dump()
    finally:
        runtime.db.dispose()
    assert first and last and first != last, "no token was refreshed during the run"
    logs = {name: Path(path).read_text(encoding="utf-8", errors="replace")
            for name, path in live.logs.items()}
    return Run(frozenset(first | last | everyone | {live.settings.client_secret}), dump, logs)


def leaks(text: str, secrets: frozenset[str]) -> list[str]:
    return sorted(secret for secret in secrets if secret in text)


def test_no_database_column_holds_a_token_or_the_client_secret_in_clear(run: Run) -> None:
    found = {f"{table}.{column}" for table, rows in run.dump.items() for row in rows
             for column, value in row.items() if leaks(str(value), run.secrets)}
    print(f"{len(run.secrets)} secrets, {sum(len(r) for r in run.dump.values())} rows searched")
    stored = {row["id"] for row in run.dump["athletes"]}
    assert stored >= set(ATHLETES), "the run's athletes were not stored"
    assert found == set()


@pytest.mark.parametrize("process", ["sandbox", "web", "worker"])
def test_no_log_holds_a_token_or_the_client_secret(run: Run, process: str) -> None:
    assert run.logs[process], f"the {process} wrote no log"
    assert leaks(run.logs[process], run.secrets) == []

