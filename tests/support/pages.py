"""The athlete's pages as a test drives them: athletes with a few weeks of activities, a signed
in session, and the settings form with its CSRF token."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from starlette.testclient import TestClient

from analysis.model import is_run
from analysis.voice import SECTIONS
from worker.models import Activity, Athlete, utcnow
from worker.runtime import Runtime
from worker.strava import TokenGrant
from worker.web.oauth import SCOPE
from worker.web.session import SESSION_COOKIE, Sessions

A, B = 501, 502


#: Each seeded athlete's activities: days ago, sport, workout.
PLAN = [(0, "Run", "easy"), (1, "WeightTraining", "strength"), (2, "Run", "hills"),
        (4, "Run", "easy"), (6, "Run", "long"), (8, "WeightTraining", "strength"),
        (9, "Run", "easy"), (11, "Run", "hills"), (13, "Ride", "cross_training"),
        (15, "Run", "easy"), (17, "Run", "recovery")]


def add_athlete(rt: Runtime, athlete_id: int, first_activity: int) -> list[int]:
    """An athlete with PLAN's activities (ids from ``first_activity``); returns their ids."""
    now = utcnow()
    with rt.db.session() as session:
        athlete = Athlete(id=athlete_id, scope=SCOPE, expires_at=int(time.time()) + 3600,
                          history_since=now - timedelta(days=30), history_read_at=now)
        rt.tokens.store(athlete, TokenGrant("access", "refresh", athlete.expires_at, None))
        session.add(athlete)
        session.flush()
        ids = []
        for offset, (days, sport, workout) in enumerate(PLAN):
            activity_id = first_activity + offset
            ids.append(activity_id)
            session.add(Activity(
                id=activity_id, athlete_id=athlete_id, sport=sport, workout=workout,
                start_date=now - timedelta(days=days, hours=1), confidence=0.9,
                evidence=f"evidence of {activity_id}", distance_m=8000.0 if is_run(sport) else 0,
                moving_s=2700.0, load=60.0, hard=workout == "hills"))
    return ids


def sign_in(rt: Runtime, client: TestClient, athlete_id: int) -> str:
    """Start a session for the athlete in ``client``; returns its CSRF token."""
    session_id, signed_in = Sessions(rt.db).start(athlete_id)
    client.cookies.set(SESSION_COOKIE, session_id)
    return signed_in.csrf


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def settings_form(csrf: str, **changes: object) -> dict[str, object]:
    form: dict[str, object] = {"csrf": csrf, "feedback": "on", "numbers": "on",
                               "section": list(SECTIONS), "units": "metric", "language": "en"}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}
