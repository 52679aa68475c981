"""Strava's error answers read by what they say: each body Strava sends, through the gateway's
transport seam, is one exception on one branch of worker.outcomes, and the athlete's tokens
follow what it means."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event

from tests.support.gateway import Answer, FakeStrava, gateway
from worker.models import Athlete
from worker.outcomes import Hopeless, Outcome, Skip, Transient, Wait
from worker.runtime import Runtime
from worker.strava import (
    Gateway,
    StravaApplicationInactive,
    StravaApplicationRefused,
    StravaCodeRefused,
    StravaError,
    StravaGrantGone,
    StravaNotFound,
    StravaRateLimited,
    StravaRejected,
    StravaScopeMissing,
    StravaUnauthorized,
    StravaUnavailable,
    read_fault,
)
from worker.tokens import AthleteUnavailable, StoredToken, Tokens


def fault(status: int, message: str, resource: str, field: str, code: str) -> Answer:
    return status, {"message": message,
                    "errors": [{"resource": resource, "field": field, "code": code}]}


# The bodies as Strava's developers report them (the issue threads named in worker.strava).
REFRESH_TOKEN_INVALID = fault(400, "Bad Request", "RefreshToken", "refresh_token", "invalid")
CODE_INVALID = fault(400, "Bad Request", "AuthorizationCode", "code", "invalid")
CLIENT_UNKNOWN = fault(400, "Bad Request", "Application", "client_id", "invalid")
SECRET_WRONG = fault(401, "Authorization Error", "Application", "", "invalid")
INACTIVE = fault(403, "Forbidden", "Application", "Status", "Inactive")
TOKEN_INVALID = fault(401, "Authorization Error", "Athlete", "access_token", "invalid")
READ_MISSING = fault(401, "Authorization Error", "AccessToken", "activity:read_permission",
                     "missing")
WRITE_MISSING = fault(401, "Authorization Error", "AccessToken", "activity:write_permission",
                      "missing")
NOT_FOUND = fault(404, "Resource Not Found", "Activity", "", "not found")
RATE_LIMITED = fault(429, "Rate Limit Exceeded", "Application", "rate limit", "exceeded")
SERVER_ERROR = fault(500, "Server Error", "Application", "server", "unavailable")
BAD_FIELD = fault(400, "Bad Request", "Activity", "description", "invalid")

#: The calls of the gateway an answer may come back to.
CALLS: dict[str, Callable[[Gateway], Any]] = {
    "refresh": lambda g: g.refresh("refresh"),
    "exchange": lambda g: g.exchange_code("code"),
    "read": lambda g: g.get_activity("token", 42),
    "write": lambda g: g.update_description("token", 42, "text"),
}
BRANCHES = (Wait, Skip, Transient, Hopeless)


def branches(error: BaseException) -> list[type[Outcome]]:
    return [branch for branch in BRANCHES if isinstance(error, branch)]


@pytest.mark.parametrize(("call", "answer", "error", "branch"), [
    ("refresh", REFRESH_TOKEN_INVALID, StravaGrantGone, None),
    ("exchange", CODE_INVALID, StravaCodeRefused, Hopeless),
    ("refresh", CLIENT_UNKNOWN, StravaApplicationRefused, Hopeless),
    ("exchange", SECRET_WRONG, StravaApplicationRefused, Hopeless),
    ("read", INACTIVE, StravaApplicationInactive, Wait),
    ("read", TOKEN_INVALID, StravaUnauthorized, None),
    ("read", READ_MISSING, StravaScopeMissing, None),
    ("write", WRITE_MISSING, StravaScopeMissing, None),
    ("read", NOT_FOUND, StravaNotFound, None),
    ("read", RATE_LIMITED, StravaRateLimited, Wait),
    ("read", SERVER_ERROR, StravaUnavailable, Transient),
    ("write", BAD_FIELD, StravaRejected, Hopeless),
])
def test_each_answer_strava_sends_is_one_exception_on_one_branch_naming_what_strava_said(
    monkeypatch: pytest.MonkeyPatch, call: str, answer: tuple[int, dict[str, Any]],
    error: type[StravaError], branch: type[Outcome] | None,
) -> None:
    monkeypatch.setattr(Gateway._call.retry, "sleep", lambda _s: None)  # type: ignore[attr-defined]
    with pytest.raises(error) as raised:
        CALLS[call](gateway(FakeStrava(answer)))
    assert type(raised.value) is error
    assert branches(raised.value) == ([branch] if branch else [])
    status, body = answer
    said = body["errors"][0]
    assert raised.value.status == status
    assert f"{said['resource']} {said['field']}".strip() in str(raised.value)


def test_our_refused_credentials_say_what_the_operator_must_check() -> None:
    with pytest.raises(StravaApplicationRefused, match="STRAVA_CLIENT_SECRET"):
        gateway(FakeStrava(SECRET_WRONG)).refresh("refresh")


SAID = st.fixed_dictionaries({
    "resource": st.sampled_from(["RefreshToken", "AuthorizationCode", "Application",
                                 "AccessToken", "Athlete", "Activity", ""]) | st.text(max_size=8),
    "field": st.sampled_from(["refresh_token", "code", "client_id", "Status", "",
                              "activity:read_permission"]) | st.text(max_size=8),
    "code": st.sampled_from(["invalid", "missing", "Inactive", "not found"])
    | st.text(max_size=8),
})


@given(status=st.integers(400, 599), errors=st.lists(SAID, max_size=3),
       message=st.none() | st.text(max_size=12))
def test_every_error_answer_is_one_strava_error_on_at_most_one_branch(
    status: int, errors: list[dict[str, str]], message: str | None,
) -> None:
    read = read_fault(status, {"message": message, "errors": errors})
    assert isinstance(read, StravaError) and read.status == status
    assert len(branches(read)) <= 1
    assert isinstance(read, Transient) == (status >= 500)  # only Strava's own failures
    assert not isinstance(read, Skip)  # skipping is the athlete's state to decide, not one answer


def tokens_of(rt: Runtime, *answers: Answer, expires_at: int = 0) -> tuple[Tokens, FakeStrava]:
    """The athlete 7, whose access token expires at ``expires_at`` (has expired, by default),
    and their tokens behind ``answers``."""
    strava = FakeStrava(*answers)
    tokens = Tokens(rt.db, rt.cipher, gateway(strava), rt.redis)
    with rt.db.session() as session:
        athlete = Athlete(id=7, access_token=rt.cipher.encrypt("old"), expires_at=expires_at,
                          refresh_token=rt.cipher.encrypt("refresh"), scope="s")
        session.add(athlete)
    return tokens, strava


def status_of(rt: Runtime, athlete_id: int = 7) -> str | None:
    with rt.db.session() as session:
        athlete = session.get(Athlete, athlete_id)
        return athlete.status if athlete is not None else None


def test_a_refresh_token_strava_refuses_as_a_bad_request_marks_the_athlete_to_reconnect(
    runtime: Runtime,
) -> None:
    tokens, strava = tokens_of(runtime, REFRESH_TOKEN_INVALID)
    with pytest.raises(AthleteUnavailable) as raised:
        tokens.access_token(7)
    assert isinstance(raised.value, Skip)
    assert status_of(runtime) == "needs_reauth"
    with pytest.raises(AthleteUnavailable):  # their next job is skipped without asking Strava
        tokens.access_token(7)
    assert len(strava.sent) == 1


def test_a_refresh_refused_for_our_credentials_leaves_the_athlete_connected(
    runtime: Runtime,
) -> None:
    tokens, _ = tokens_of(runtime, SECRET_WRONG)
    with pytest.raises(StravaApplicationRefused):
        tokens.access_token(7)
    assert status_of(runtime) == "active"


def test_an_athlete_marked_to_reconnect_is_still_asked_with_their_refresh_token(
    runtime: Runtime,
) -> None:
    grant = {"access_token": "new", "refresh_token": "rotated", "expires_at": 2**31}
    tokens, strava = tokens_of(runtime, (200, grant))
    tokens.mark_needs_reauth(7, "test")
    assert tokens.refresh_anyway(7) == "new"
    assert "refresh_token=refresh" in str(strava.sent[0].body)
    with runtime.db.session() as session:
        athlete = session.get(Athlete, 7)
        assert athlete is not None and runtime.cipher.decrypt(athlete.refresh_token) == "rotated"


FRESH = {"access_token": "new", "refresh_token": "rotated", "expires_at": 2**31}


def read_with(tokens: Tokens) -> Any:
    return tokens.session(7, "live").get_activity(42)


def test_a_session_sends_the_token_its_job_read_while_valid_and_refreshes_one_expiring(
    runtime: Runtime,
) -> None:
    """The job's one read holds the athlete's token: the session sends it without reading the
    database again, and only a token about to expire is refreshed, under the athlete's lock."""
    tokens, strava = tokens_of(runtime, (200, {"id": 42}), (200, FRESH), (200, {"id": 42}),
                               expires_at=2**31)
    begun: list[object] = []

    def begin(connection: object) -> None:
        begun.append(connection)

    event.listen(runtime.db.engine, "begin", begin)
    try:
        held = StoredToken(runtime.cipher.encrypt("held"), 2**31)
        assert tokens.session(7, "live", stored=held).get_activity(42) == {"id": 42}
        assert begun == []
        expiring = StoredToken(runtime.cipher.encrypt("held"), int(time.time()) + 60)
        with runtime.db.session() as session:  # the row as the job read it: about to expire
            athlete = session.get(Athlete, 7)
            assert athlete is not None
            athlete.expires_at = expiring.expires_at
        begun.clear()
        assert tokens.session(7, "live", stored=expiring).get_activity(42) == {"id": 42}
        assert begun  # the refresh reads and writes the athlete's row
    finally:
        event.remove(runtime.db.engine, "begin", begin)
    assert [r.headers.get("Authorization") for r in strava.sent] == [
        "Bearer held", None, "Bearer new"]


def test_a_token_refused_before_its_expiry_is_replaced_once_and_the_work_runs_again(
    runtime: Runtime,
) -> None:
    tokens, strava = tokens_of(runtime, TOKEN_INVALID, (200, FRESH), (200, {"id": 42}),
                               expires_at=2**31)
    assert read_with(tokens) == {"id": 42}
    assert [r.headers.get("Authorization") for r in strava.sent] == [
        "Bearer old", None, "Bearer new"]
    assert status_of(runtime) == "active"


def test_a_fresh_token_refused_too_marks_the_athlete_to_reconnect(runtime: Runtime) -> None:
    tokens, strava = tokens_of(runtime, TOKEN_INVALID, (200, FRESH), TOKEN_INVALID,
                               expires_at=2**31)
    with pytest.raises(AthleteUnavailable):
        read_with(tokens)
    assert len(strava.sent) == 3 and status_of(runtime) == "needs_reauth"


def test_a_missing_permission_marks_the_athlete_to_reconnect_without_a_refresh(
    runtime: Runtime,
) -> None:
    tokens, strava = tokens_of(runtime, READ_MISSING, expires_at=2**31)
    with pytest.raises(AthleteUnavailable, match="activity:read_permission"):
        read_with(tokens)
    assert len(strava.sent) == 1 and status_of(runtime) == "needs_reauth"
