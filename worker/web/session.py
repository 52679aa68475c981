"""Athletes' sessions on their own pages: a random id in a cookie, its hash in the database.

The cookie holds nothing but 32 random bytes; the database holds their sha256, the athlete and
a CSRF token. A cookie that matches no row, or a row past its expiry, signs nobody in, and an
expired row is deleted when it is read. The sweeper deletes the rest of the expired rows
(worker.retention.prune_sessions). The rows are the athlete's own (no Strava
data) and go with the athlete (ON DELETE CASCADE).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from starlette.responses import Response

from worker.db import Database
from worker.models import WebSession, utcnow

#: The cookie that carries the session id.
SESSION_COOKIE = "stridewise_session"
#: How long a sign-in lasts: two weeks, after which the athlete connects through Strava again
#: (Strava remembers the grant, so it is one click). Long enough not to nag, short enough that a
#: forgotten browser does not stay signed in for ever.
SESSION_DAYS = 14
#: Random bytes of a session id and of a CSRF token.
TOKEN_BYTES = 32


@dataclass(frozen=True)
class SignedIn:
    """The athlete a request acts for, and the CSRF token its forms must carry."""

    athlete_id: int
    csrf: str
    expires_at: datetime


class Sessions:
    """Starts, reads and ends sessions in ``db``."""

    def __init__(self, db: Database, lifetime: timedelta = timedelta(days=SESSION_DAYS)) -> None:
        self.db = db
        self.lifetime = lifetime

    def start(self, athlete_id: int, now: datetime | None = None) -> tuple[str, SignedIn]:
        """A new session for the athlete: the id for the cookie, and what it signs in."""
        now = now or utcnow()
        session_id = secrets.token_urlsafe(TOKEN_BYTES)
        signed_in = SignedIn(athlete_id, secrets.token_urlsafe(TOKEN_BYTES), now + self.lifetime)
        with self.db.session() as session:
            session.add(WebSession(id_hash=id_hash(session_id), athlete_id=athlete_id,
                                   csrf=signed_in.csrf, created_at=now,
                                   expires_at=signed_in.expires_at))
        return session_id, signed_in

    def current(self, session_id: str | None, now: datetime | None = None) -> SignedIn | None:
        """Who the cookie signs in; None for no cookie, an unknown one or an expired one
        (whose row is deleted now)."""
        if not session_id:
            return None
        now = now or utcnow()
        with self.db.session() as session:
            row = session.get(WebSession, id_hash(session_id))
            if row is None:
                return None
            if row.expires_at <= now:
                session.delete(row)
                return None
            return SignedIn(row.athlete_id, row.csrf, row.expires_at)

    def end(self, session_id: str | None) -> None:
        """Delete the session's row; an unknown id is already ended."""
        if session_id:
            with self.db.session() as session:
                session.execute(delete(WebSession)
                                .where(WebSession.id_hash == id_hash(session_id)))


def csrf_matches(signed_in: SignedIn, given: str | None) -> bool:
    """Whether a form's token is its session's, compared in constant time."""
    return bool(given) and hmac.compare_digest(signed_in.csrf.encode(), str(given).encode())


def id_hash(session_id: str) -> str:
    # 32 random bytes need no salt nor a slow hash: nobody can guess one to match a stored hash.
    return hashlib.sha256(session_id.encode()).hexdigest()


def set_cookie(response: Response, session_id: str, signed_in: SignedIn, secure: bool) -> None:
    """Give the browser its session: script cannot read it, other sites do not send it."""
    seconds = max(0, math.ceil((signed_in.expires_at - utcnow()).total_seconds()))
    response.set_cookie(SESSION_COOKIE, session_id, max_age=seconds, httponly=True,
                        samesite="lax", secure=secure, path="/")


def clear_cookie(response: Response, secure: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=secure)
