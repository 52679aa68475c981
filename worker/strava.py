"""The Strava gateway: the only module that imports stravalib.

Every Strava request of the application goes through :class:`Gateway`, which
- sends it to ``STRAVA_BASE_URL`` (a transport adapter rewrites stravalib's fixed host),
- gives it connect and read timeouts (stravalib sets none),
- reserves it in the shared budget first and corrects the budget from the usage headers after
  (stravalib's own rate limiter, which sleeps, is replaced by that),
- retries transient failures (connection errors, timeouts, 502/503/504) a few times, briefly,
- and reads every failure by what Strava says (its status, and each error's resource, field and
  code) in one table, :data:`FAULTS`, which names the exception below to raise. Each exception
  is on one branch of worker.outcomes, which says what becomes of the job that met it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

from worker.config import DEFAULT_READ_TIMEOUT_S
from worker.outcomes import Hopeless, Transient, Wait

if TYPE_CHECKING:
    from stravalib import exc as strava_exc
    from stravalib.protocol import ApiV3

log = logging.getLogger(__name__)

#: The origin stravalib writes into every URL; the transport sends it to STRAVA_BASE_URL.
STRAVA_ORIGIN = "https://www.strava.com"
#: Seconds to wait for a connection and, by default, for a response (STRAVA_READ_TIMEOUT);
#: Strava answers in well under a second.
CONNECT_TIMEOUT_S = 3.05
READ_TIMEOUT_S = DEFAULT_READ_TIMEOUT_S
#: Attempts for a request that failed transiently, the first pause between them (each later
#: one twice the one before) and the longest. The pauses are short on purpose: anything
#: longer is the job's retry, not the request's.
TRANSIENT_ATTEMPTS = 3
TRANSIENT_FIRST_WAIT_S = 0.25
TRANSIENT_MAX_WAIT_S = 2.0
#: Statuses that mean "Strava is briefly unwell", worth an immediate retry.
TRANSIENT_STATUSES = frozenset({502, 503, 504})
#: Streams the analysis reads, in Strava's names.
STREAM_KEYS = (
    "time", "distance", "latlng", "altitude", "velocity_smooth", "heartrate", "cadence",
    "watts", "moving", "grade_smooth",
)
#: Largest page Strava serves for list endpoints.
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Said:
    """One error of Strava's answer (its Fault body): which resource and field, and what is
    wrong with it, e.g. ``RefreshToken refresh_token invalid``."""

    resource: str
    field: str
    code: str

    def __str__(self) -> str:
        return " ".join(part for part in (self.resource, self.field, self.code) if part)


class StravaError(Exception):
    """Base of every failure talking to Strava: Strava's status and errors, when it answered."""

    status: int | None = None
    #: What the person reading the message can do about it, if anything.
    advice = ""

    def __init__(self, message: str, status: int | None = None,
                 errors: tuple[Said, ...] = ()) -> None:
        super().__init__(f"{message}; {self.advice}" if self.advice else message)
        self.status = status
        self.errors = errors


class StravaUnavailable(StravaError, Transient):
    """Network failure, timeout or 5xx: try again later."""


class StravaNotFound(StravaError):
    """404: the object does not exist, or not yet, or is not ours to read (what it means is the
    caller's to say: worker.sync reads an activity again a few times, then skips it)."""


class StravaUnauthorized(StravaError):
    """401 to an access token: expired early or revoked. A refresh is tried once (worker.tokens);
    if Strava refuses that too, the athlete must reconnect."""


class StravaGrantGone(StravaError):
    """The refresh token is refused (400 RefreshToken invalid): the athlete revoked our access,
    or connected again elsewhere. A deauthorization is believed; any other job is skipped and the
    athlete marked as needing to reconnect."""


class StravaScopeMissing(StravaError):
    """The token lacks a permission (``activity:read_permission missing``): the athlete unticked
    it. Only connecting again grants it, so they are marked as needing to reconnect."""


class StravaRateLimited(StravaError, Wait):
    """429: the application's quota is spent until the window resets."""


class StravaApplicationInactive(StravaError, Wait):
    """403 naming the application: its owner has no active Strava subscription."""


class StravaRejected(StravaError, Hopeless):
    """Any other 4xx: our request was wrong; retrying will not help."""


class StravaApplicationRefused(StravaRejected):
    """Strava does not know our client id or secret: no athlete's doing, the operator's to fix."""

    advice = "check STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET"


class StravaCodeRefused(StravaRejected):
    """400 AuthorizationCode invalid: a code used already or expired, or one Strava hands out a
    moment before all of it knows the code (worker.web.oauth tries such a code once more)."""


@dataclass(frozen=True)
class Fault:
    """A row of :data:`FAULTS`: a status and, optionally, what one of the answer's errors says
    (None matches anything); an answer it matches raises ``error``."""

    error: type[StravaError]
    status: int
    resource: str | None = None
    field: str | None = None
    code: str | None = None

    def matches(self, status: int | None, errors: tuple[Said, ...]) -> bool:
        wanted = (self.resource, self.field, self.code)
        if status != self.status:
            return False
        if wanted == (None, None, None):
            return True
        return any(all(w is None or w == got for w, got in zip(wanted, (e.resource, e.field,
                                                                         e.code), strict=True))
                   for e in errors)


#: What Strava's error answers mean, read in order (the first row that matches wins); a status
#: no row names is a StravaUnavailable from 500 on, else a StravaRejected. The bodies are the
#: ones Strava sends, as its developers report them in public issue threads (the refresh token:
#: dreeveapp/dreeve#1449; the code: basvandorst/StravaPHP#96, which also finds that a retry
#: after about two seconds succeeds; the client: dreeveapp/dreeve#372, iamstuartwilson/strava#28;
#: the missing permission: iamstuartwilson/strava#51) and stravalib reads them (the inactive
#: application).
FAULTS: tuple[Fault, ...] = (
    Fault(StravaGrantGone, 400, "RefreshToken"),
    Fault(StravaGrantGone, 401, "RefreshToken"),
    Fault(StravaCodeRefused, 400, "AuthorizationCode"),
    Fault(StravaApplicationInactive, 403, "Application", "Status", "Inactive"),
    Fault(StravaApplicationRefused, 400, "Application"),
    Fault(StravaApplicationRefused, 401, "Application"),
    Fault(StravaScopeMissing, 401, code="missing"),
    Fault(StravaScopeMissing, 403, code="missing"),
    Fault(StravaUnauthorized, 401),
    Fault(StravaNotFound, 404),
    Fault(StravaRateLimited, 429),
)


def read_fault(status: int | None, body: Any) -> StravaError:
    """The exception that Strava's error answer (``status``, its JSON ``body``) means."""
    errors = _errors(body)
    message = body.get("message") if isinstance(body, dict) else None
    said = f"Strava {status}" + (f" {message}" if isinstance(message, str) else "") \
        + (f": {', '.join(str(e) for e in errors)}" if errors else "")
    for fault in FAULTS:
        if fault.matches(status, errors):
            return fault.error(said, status, errors)
    if status is None or status >= 500:
        return StravaUnavailable(said, status, errors)
    return StravaRejected(said, status, errors)


def _errors(body: Any) -> tuple[Said, ...]:
    raw = body.get("errors") if isinstance(body, dict) else None
    if isinstance(raw, dict):  # Strava documents a list; stravalib accepts a lone object too
        raw = [raw]
    if not isinstance(raw, list):
        return ()
    return tuple(Said(str(e.get("resource") or ""), str(e.get("field") or ""),
                      str(e.get("code") or "")) for e in raw if isinstance(e, dict))


class Prepaid(Protocol):
    """Requests a job reserved in advance (see worker.budget.Reservation)."""

    def spend(self) -> bool: ...


class Budget(Protocol):
    """What the gateway needs of the shared quota (see worker.budget)."""

    def acquire(self, priority: str, count: int = 1, athlete_id: int | None = None) -> object:
        ...

    def observe(self, headers: Mapping[str, str]) -> None: ...

    def rate_limited(self) -> None: ...


@dataclass(frozen=True)
class TokenGrant:
    """What Strava's token endpoint returned."""

    access_token: str
    refresh_token: str
    expires_at: int
    athlete: dict[str, Any] | None


class StravaTransport(BaseAdapter):
    """Sends stravalib's ``https://www.strava.com`` requests to the configured base URL.

    Each request is logged with the host it really goes to (without its query, which may
    hold the client secret). ``inner`` sends it: a pooled ``HTTPAdapter``, or in tests an
    adapter that answers as Strava would, so no test needs a live server.
    """

    def __init__(self, base_url: str, timeout: tuple[float, float],
                 inner: BaseAdapter | None = None) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.inner = inner or HTTPAdapter(max_retries=0, pool_maxsize=32)

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        url = request.url or ""
        if url.startswith(STRAVA_ORIGIN) and self.base_url != STRAVA_ORIGIN:
            request.url = self.base_url + url[len(STRAVA_ORIGIN):]
        log.info("%s %r", request.method, (request.url or "").split("?", 1)[0])
        return self.inner.send(request, stream=stream, timeout=timeout or self.timeout,
                               verify=verify, cert=cert, proxies=proxies)

    def close(self) -> None:
        self.inner.close()


def make_session(base_url: str, on_response: Callable[..., object] | None = None,
                 inner: BaseAdapter | None = None,
                 read_timeout_s: float = READ_TIMEOUT_S) -> requests.Session:
    """A session whose every request goes to ``base_url`` with timeouts (an answer is waited
    for ``read_timeout_s``).

    ``on_response`` becomes a requests response hook (metrics count each request there);
    ``inner`` replaces the network (see :class:`StravaTransport`).
    """
    session = requests.Session()
    if on_response is not None:
        session.hooks["response"].append(on_response)
    transport = StravaTransport(base_url, (CONNECT_TIMEOUT_S, read_timeout_s), inner)
    session.mount("https://", transport)
    session.mount("http://", transport)
    return session


@cache
def _protocol() -> type[ApiV3]:
    """stravalib's protocol without its environment look-ups: tokens are ours to refresh.

    stravalib is imported here, at the first request, not with this module: its package loads
    its whole client and models (about half a second of CPU), which the processes that send
    Strava nothing (migrate, the dead-letter commands, the web process until an OAuth callback)
    need not pay for."""
    from stravalib.protocol import ApiV3

    class StravaProtocol(ApiV3):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # stravalib logs every URL as it wrote it (www.strava.com, wherever it goes); the
            # transport logs where it really goes, so stravalib's line stays under its own
            # name.
            self.log = logging.getLogger("stravalib.protocol")

        def _check_credentials(self) -> None:
            self.client_id = None
            self.client_secret = None

    return StravaProtocol


T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

def _is_transient(error: BaseException) -> bool:
    return isinstance(error, StravaUnavailable) and (
        error.status is None or error.status in TRANSIENT_STATUSES
    )


def _transient(call: F) -> F:
    """``call``, tried again briefly while it fails transiently."""
    return cast(F, retry(
        retry=retry_if_exception(_is_transient),
        stop=stop_after_attempt(TRANSIENT_ATTEMPTS),
        wait=wait_exponential(multiplier=TRANSIENT_FIRST_WAIT_S, max=TRANSIENT_MAX_WAIT_S),
        reraise=True,
    )(call))


class Gateway:
    """Every Strava call of the application.

    Parameters
    ----------
    base_url:
        STRAVA_BASE_URL; API calls go to ``{base_url}/api/v3``, OAuth to ``{base_url}/oauth``.
    client_id, client_secret:
        The Strava application.
    budget:
        The shared quota; ``None`` only in tests that count requests themselves.
    session:
        A requests session to send through (tests may mount their own adapter).
    """

    def __init__(
        self,
        base_url: str,
        client_id: int,
        client_secret: str,
        budget: Budget | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.budget = budget
        self.session = session or make_session(base_url)

    # -- OAuth -------------------------------------------------------------------------------

    def exchange_code(self, code: str) -> TokenGrant:
        """Trade an authorization code for the athlete's tokens."""
        return self._token(grant_type="authorization_code", code=code)

    def refresh(self, refresh_token: str) -> TokenGrant:
        """A new access token; Strava may rotate the refresh token too."""
        return self._token(grant_type="refresh_token", refresh_token=refresh_token)

    def _token(self, **grant: str) -> TokenGrant:
        # The credentials go in the form body, never the URL (RFC 6749 2.3.1).
        data = {"client_id": self.client_id, "client_secret": self.client_secret, **grant}
        return _grant(self._call(lambda p: p.post(f"{STRAVA_ORIGIN}/oauth/token", data=data)))

    def deauthorize(self, access_token: str) -> None:
        """Revoke the athlete's tokens at Strava."""
        self._call(lambda p: p.post(
            f"{STRAVA_ORIGIN}/oauth/deauthorize", data={"access_token": access_token}
        ))

    # -- Activities ----------------------------------------------------------------------------

    def get_activity(self, token: str, activity_id: int, priority: str = "live",
                     prepaid: Prepaid | None = None) -> dict[str, Any]:
        """The DetailedActivity, with description, laps and splits."""
        return self._api(priority, token, lambda p: p.get(
            "/activities/{id}", id=activity_id, include_all_efforts="false"
        ), prepaid)

    def get_streams(
        self, token: str, activity_id: int, priority: str = "live",
        athlete_id: int | None = None,
    ) -> dict[str, Any]:
        """The activity's streams keyed by type (empty for an activity without any); the read
        counts against ``athlete_id``'s shares of the quota."""
        try:
            raw = self._api(priority, token, lambda p: p.get(
                "/activities/{id}/streams",
                id=activity_id,
                keys=",".join(STREAM_KEYS),
                key_by_type="true",
            ), athlete_id=athlete_id)
        except StravaNotFound:
            return {}  # Strava answers 404 for an activity that has no streams at all
        if isinstance(raw, list):  # the list form, should a server ignore key_by_type
            return {item["type"]: item for item in raw if isinstance(item, dict) and "type" in item}
        return dict(raw)

    def update_description(
        self, token: str, activity_id: int, description: str, priority: str = "live",
        prepaid: Prepaid | None = None,
    ) -> dict[str, Any]:
        """Write the description (only the description) and return the updated activity."""
        return self._api(priority, token, lambda p: p.put(
            "/activities/{id}", id=activity_id, body={"description": description}
        ), prepaid)

    def list_activities(
        self, token: str, after: int, page: int, priority: str = "backfill",
        athlete_id: int | None = None,
    ) -> list[dict[str, Any]]:
        """One page of SummaryActivities started after ``after`` (epoch seconds)."""
        raw = self._api(priority, token, lambda p: p.get(
            "/athlete/activities", after=after, page=page, per_page=MAX_PER_PAGE
        ), athlete_id=athlete_id)
        return list(raw)

    def get_athlete(self, token: str, priority: str = "live",
                    athlete_id: int | None = None) -> dict[str, Any]:
        return self._api(priority, token, lambda p: p.get("/athlete"), athlete_id=athlete_id)

    # -- Push subscriptions --------------------------------------------------------------------

    def create_subscription(self, callback_url: str, verify_token: str) -> int:
        """Create the application's one push subscription; Strava calls back to verify it."""
        raw = self._api("live", None, lambda p: p.post(
            "/push_subscriptions",
            data={
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "callback_url": callback_url,
                "verify_token": verify_token,
            },
        ))
        return int(raw["id"])

    def list_subscriptions(self) -> list[dict[str, Any]]:
        raw = self._api("live", None, lambda p: p.get(
            "/push_subscriptions", client_id=self.client_id, client_secret=self.client_secret
        ))
        return list(raw)

    def delete_subscription(self, subscription_id: int) -> None:
        self._api("live", None, lambda p: p.delete(
            "/push_subscriptions/{id}",
            id=subscription_id,
            client_id=self.client_id,
            client_secret=self.client_secret,
        ))

    # -- Plumbing ------------------------------------------------------------------------------

    def _api(self, priority: str, token: str | None, call: Callable[[ApiV3], T],
             prepaid: Prepaid | None = None, athlete_id: int | None = None) -> T:
        def attempt(protocol: ApiV3) -> T:
            # A retry is a new request: it spends from the reservation only if some is left.
            if self.budget is not None and not (prepaid is not None and prepaid.spend()):
                self.budget.acquire(priority, athlete_id=athlete_id)
            return call(protocol)

        return self._call(attempt, token)

    @_transient
    def _call(self, call: Callable[[ApiV3], T], token: str | None = None) -> T:
        from stravalib import exc as strava_exc

        protocol = _protocol()(
            access_token=token, requests_session=self.session, rate_limiter=self._observe
        )
        try:
            return call(protocol)
        except strava_exc.Fault as error:
            raise self._map_fault(error) from None
        except (requests.ConnectionError, requests.Timeout) as error:
            raise StravaUnavailable(f"Strava did not answer: {type(error).__name__}") from None
        except requests.JSONDecodeError:
            raise StravaUnavailable("Strava answered with a body that is not JSON") from None

    def _observe(self, headers: Mapping[str, str], _method: str) -> None:
        # stravalib calls this with every API response's headers, errors included.
        if self.budget is not None:
            self.budget.observe(headers)

    def _map_fault(self, error: strava_exc.Fault) -> StravaError:
        response = error.response
        status = response.status_code if response is not None else None
        try:
            body = response.json() if response is not None else None
        except ValueError:
            body = None
        fault = read_fault(status, body)
        if isinstance(fault, StravaRateLimited) and self.budget is not None:
            self.budget.rate_limited()
        return fault


def _grant(raw: Mapping[str, Any]) -> TokenGrant:
    try:
        return TokenGrant(
            access_token=str(raw["access_token"]),
            refresh_token=str(raw["refresh_token"]),
            expires_at=int(raw["expires_at"]),
            athlete=raw.get("athlete"),
        )
    except (KeyError, TypeError, ValueError):
        raise StravaRejected(
            "Strava's token response lacks access_token, refresh_token or expires_at"
        ) from None
