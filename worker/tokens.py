"""Athletes' Strava tokens: encrypted at rest, refreshed before expiry under a per-athlete lock;
and Strava as one athlete sees it (:class:`StravaSession`): their token, refreshed when it
expires or Strava refuses it, and the budget class of the work it does for them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import redis
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from redis.lock import Lock
from sqlalchemy import select

from worker.budget import Budget, Reservation, streams_class
from worker.db import Database
from worker.models import Athlete
from worker.outcomes import Skip, Wait
from worker.strava import (
    Gateway,
    Prepaid,
    StravaGrantGone,
    StravaScopeMissing,
    StravaUnauthorized,
    TokenGrant,
)

log = logging.getLogger(__name__)

#: Refresh an access token this long before Strava's expiry, so no request races it.
REFRESH_MARGIN_S = 600
#: Longest a refresh may hold the athlete's lock; far above one token request with retries.
LOCK_TIMEOUT_S = 60

T = TypeVar("T")


class AthleteUnavailable(Skip):
    """The athlete is gone or must reconnect; their jobs are skipped, not retried."""


class TokensUnreadable(Wait):
    """A stored token cannot be decrypted under any key of TOKEN_KEYS.

    The deployment is wrong (a key dropped before ``rotate-keys`` ran, another deployment's
    keys), not the athlete: their work waits for the right key instead of being skipped, and
    nothing of theirs is deleted. Deliberately not an :class:`AthleteUnavailable`.
    """

    def __init__(self, athlete_id: int | None = None) -> None:
        whose = f"athlete {athlete_id}'s tokens" if athlete_id is not None else "a stored token"
        super().__init__(f"{whose} cannot be decrypted with any key of TOKEN_KEYS")
        self.athlete_id = athlete_id


@dataclass(frozen=True)
class StoredToken:
    """An athlete's access token as stored (encrypted), and when Strava expires it."""

    ciphertext: str
    expires_at: int


class TokenCipher:
    """Fernet encryption under TOKEN_KEYS: the first key encrypts, every key decrypts."""

    def __init__(self, keys: Sequence[str]) -> None:
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, ciphertext: str, athlete_id: int | None = None) -> str:
        """The token; :class:`TokensUnreadable` (naming ``athlete_id``) if no key opens it."""
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise TokensUnreadable(athlete_id) from None

    def readable(self, ciphertext: str) -> bool:
        """Whether some key of TOKEN_KEYS opens ``ciphertext``."""
        try:
            self._fernet.decrypt(ciphertext.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, ciphertext: str, athlete_id: int | None = None) -> str:
        """The same token encrypted under the newest key (:class:`TokensUnreadable` if no key
        opens it)."""
        try:
            return self._fernet.rotate(ciphertext.encode()).decode()
        except InvalidToken:
            raise TokensUnreadable(athlete_id) from None


class Tokens:
    """Hands out valid access tokens, refreshing them at most once across all workers."""

    def __init__(
        self,
        db: Database,
        cipher: TokenCipher,
        gateway: Gateway,
        locks: redis.Redis,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.cipher = cipher
        self.gateway = gateway
        self.locks = locks
        self.clock = clock

    def store(self, athlete: Athlete, grant: TokenGrant) -> None:
        """Put a grant's tokens on ``athlete`` (encrypted); the caller commits."""
        athlete.access_token = self.cipher.encrypt(grant.access_token)
        athlete.refresh_token = self.cipher.encrypt(grant.refresh_token)
        athlete.expires_at = grant.expires_at

    def access_token(self, athlete_id: int) -> str:
        """A token valid for at least REFRESH_MARGIN_S more seconds.

        Raises
        ------
        AthleteUnavailable
            The athlete is unknown, needs to reconnect, or Strava refused the refresh (the
            grant is gone); in the last case they are marked as needing to reconnect.
        TokensUnreadable
            No key of TOKEN_KEYS opens their stored tokens.
        """
        token = self._fresh_token(athlete_id)
        if token is not None:
            return token
        with self.lock(athlete_id):
            token = self._fresh_token(athlete_id)  # another worker may have refreshed meanwhile
            if token is not None:
                return token
            return self._refresh(athlete_id)

    def session(self, athlete_id: int, priority: str, budget: Budget | None = None,
                stored: StoredToken | None = None) -> StravaSession:
        """Strava as the athlete, for work of budget class ``priority``; ``stored`` is their
        token as the job's one read found it (used while it is valid)."""
        return StravaSession(self, athlete_id, priority, budget, stored)

    def replace_rejected(self, athlete_id: int, rejected: str) -> str:
        """A new token after Strava answered 401 to ``rejected`` before its expiry.

        If another worker already replaced it, that token is returned; otherwise the refresh
        token is used now. Raises :class:`AthleteUnavailable` when Strava refuses that too.
        """
        with self.lock(athlete_id):
            with self.db.read() as session:
                athlete = session.get(Athlete, athlete_id)
                if athlete is None or athlete.status != "active":
                    raise AthleteUnavailable(f"athlete {athlete_id} is not connected")
                current = self.cipher.decrypt(athlete.access_token, athlete_id)
            if current != rejected:
                return current
            return self._refresh(athlete_id)

    def refresh_anyway(self, athlete_id: int) -> str:
        """A new access token from the stored refresh token, whatever the athlete's status.

        A deauthorization asks Strava with it whether the grant still lives, even for an athlete
        marked as needing to reconnect: only Strava's refusal lets their data go. Raises
        :class:`AthleteUnavailable` when Strava refuses it (the grant is gone).
        """
        with self.lock(athlete_id):
            return self._refresh(athlete_id)

    def active(self, athlete_id: int) -> bool:
        """Whether the athlete is connected and not marked as needing to reconnect."""
        with self.db.read() as session:
            athlete = session.get(Athlete, athlete_id)
            return athlete is not None and athlete.status == "active"

    def mark_needs_reauth(self, athlete_id: int, reason: str) -> None:
        """Strava keeps refusing a fresh token: the athlete must connect again."""
        with self.db.session() as session:
            athlete = session.get(Athlete, athlete_id)
            if athlete is not None:
                athlete.status = "needs_reauth"
        log.warning("athlete must reconnect: %s", reason, extra={"athlete_id": athlete_id})

    def lock(self, athlete_id: int) -> Lock:
        """The athlete's token lock, shared by every process that changes their tokens."""
        lock: Lock = self.locks.lock(f"stridewise:lock:token:{athlete_id}",
                                     timeout=LOCK_TIMEOUT_S, blocking_timeout=LOCK_TIMEOUT_S)
        return lock

    def still_valid(self, stored: StoredToken, athlete_id: int) -> str | None:
        """The stored token, decrypted, if it is valid for REFRESH_MARGIN_S more seconds."""
        if stored.expires_at - self.clock() > REFRESH_MARGIN_S:
            return self.cipher.decrypt(stored.ciphertext, athlete_id)
        return None

    def _fresh_token(self, athlete_id: int) -> str | None:
        with self.db.read() as session:
            athlete = session.get(Athlete, athlete_id)
            if athlete is None:
                raise AthleteUnavailable(f"athlete {athlete_id} is not connected")
            if athlete.status != "active":
                raise AthleteUnavailable(f"athlete {athlete_id} must reconnect ({athlete.status})")
            return self.still_valid(StoredToken(athlete.access_token, athlete.expires_at),
                                    athlete_id)

    def _refresh(self, athlete_id: int) -> str:
        # No transaction is open during Strava's answer (on SQLite it would hold the write
        # lock); the athlete's token lock keeps other refreshers out meanwhile.
        with self.db.read() as session:
            athlete = session.get(Athlete, athlete_id)
            if athlete is None:
                raise AthleteUnavailable(f"athlete {athlete_id} is not connected")
            refresh_token = self.cipher.decrypt(athlete.refresh_token, athlete_id)
        try:
            grant = self.gateway.refresh(refresh_token)
        except (StravaGrantGone, StravaUnauthorized) as refused:
            # Revoked, or connected again elsewhere. Strava refusing our client (a
            # StravaApplicationRefused) is no athlete's doing, and is not caught here.
            self.mark_needs_reauth(athlete_id, f"Strava refused the refresh: {refused}")
            raise AthleteUnavailable(f"athlete {athlete_id} revoked access") from None
        # Strava may have rotated the refresh token: the old one no longer works, so the new
        # one is committed before anything else can fail.
        with self.db.session() as session:
            athlete = session.get(Athlete, athlete_id)
            if athlete is None:
                raise AthleteUnavailable(f"athlete {athlete_id} disconnected during a refresh")
            self.store(athlete, grant)
        log.info("refreshed access token", extra={"athlete_id": athlete_id})
        return grant.access_token


class StravaSession:
    """Strava's API as one athlete: callers pass no token and no priority.

    It holds the athlete's access token (the one the job read, while valid; otherwise one from
    :meth:`Tokens.access_token`, refreshed under the athlete's lock). A 401 to a token that has
    not expired means Strava revoked it: the token is replaced once (:meth:`Tokens.
    replace_rejected`) and the request sent again. Strava refusing the fresh token too, or a
    permission the athlete did not grant (no refresh brings it back), marks them as needing to
    reconnect and raises :class:`AthleteUnavailable`. Every request counts against the
    athlete's shares of the quota at the session's budget class (streams at its streams class).
    """

    def __init__(self, tokens: Tokens, athlete_id: int, priority: str,
                 budget: Budget | None = None, stored: StoredToken | None = None) -> None:
        self.tokens = tokens
        self.gateway = tokens.gateway
        self.athlete_id = athlete_id
        self.priority = priority
        self.budget = budget
        self._stored = stored
        self._token: str | None = None

    def reserve(self, count: int) -> Reservation:
        """Reserve ``count`` requests at once (a read and its write), or raise
        :class:`~worker.budget.QuotaExhausted`."""
        if self.budget is None:
            raise RuntimeError("this session has no budget to reserve from")
        return self.budget.acquire(self.priority, count=count, athlete_id=self.athlete_id)

    def get_activity(self, activity_id: int, prepaid: Prepaid | None = None) -> dict[str, Any]:
        return self._call(lambda token: self.gateway.get_activity(
            token, activity_id, self.priority, prepaid=prepaid))

    def get_streams(self, activity_id: int) -> dict[str, Any]:
        return self._call(lambda token: self.gateway.get_streams(
            token, activity_id, streams_class(self.priority), athlete_id=self.athlete_id))

    def update_description(self, activity_id: int, description: str,
                           prepaid: Prepaid | None = None) -> dict[str, Any]:
        return self._call(lambda token: self.gateway.update_description(
            token, activity_id, description, self.priority, prepaid=prepaid))

    def list_activities(self, after: int, page: int) -> list[dict[str, Any]]:
        return self._call(lambda token: self.gateway.list_activities(
            token, after=after, page=page, priority=self.priority, athlete_id=self.athlete_id))

    def get_athlete(self) -> dict[str, Any]:
        return self._call(lambda token: self.gateway.get_athlete(
            token, priority=self.priority, athlete_id=self.athlete_id))

    def _call(self, request: Callable[[str], T]) -> T:
        token = self._current()
        try:
            try:
                return request(token)
            except StravaUnauthorized:
                token = self._token = self.tokens.replace_rejected(self.athlete_id, token)
            return request(token)
        except (StravaUnauthorized, StravaScopeMissing) as refused:
            self.tokens.mark_needs_reauth(self.athlete_id, str(refused))
            raise AthleteUnavailable(
                f"athlete {self.athlete_id} must reconnect: {refused}") from None

    def _current(self) -> str:
        if self._token is None and self._stored is not None:
            self._token = self.tokens.still_valid(self._stored, self.athlete_id)
        if self._token is None:
            self._token = self.tokens.access_token(self.athlete_id)
        return self._token


def unreadable_athletes(db: Database, cipher: TokenCipher) -> list[int]:
    """The athletes whose stored tokens no key of TOKEN_KEYS opens (for ``stridewise status``)."""
    with db.read() as session:
        rows = session.execute(select(Athlete.id, Athlete.access_token,
                                      Athlete.refresh_token)).all()
    return [int(athlete_id) for athlete_id, access, refresh in rows
            if not (cipher.readable(access) and cipher.readable(refresh))]
