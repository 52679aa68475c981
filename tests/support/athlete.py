"""One athlete's steps at the sandbox Strava: connect through the web app, upload an activity,
read its description back."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import update
from starlette.testclient import TestClient

from tests.support import http
from worker.models import Athlete
from worker.runtime import Runtime
from worker.web import create_app

ATHLETE = 5150
TEXT = "Windy by the river.\nNew shoes."


def connect(rt: Runtime, athlete_id: int = ATHLETE) -> None:
    browser = TestClient(create_app(rt), base_url=rt.settings.public_url)
    to_strava = browser.get("/connect", follow_redirects=False)
    approved = http.get(to_strava.headers["location"] + f"&sandbox_athlete={athlete_id}")
    back = urlsplit(approved.headers["location"])
    assert browser.get(f"{back.path}?{back.query}").status_code == 200


def upload(rt: Runtime, workout: str = "intervals", text: str = TEXT, seed: int = 1) -> int:
    answer = http.post(f"{rt.settings.strava_base_url}/_sandbox/athletes/{ATHLETE}/activities",
                       json={"workout": workout, "seed": seed, "description": text,
                              "notify": False})
    return int(answer.json()["id"])


def description(rt: Runtime, activity_id: int) -> str:
    url = f"{rt.settings.strava_base_url}/_sandbox/activities/{activity_id}"
    return str(http.get(url).json().get("description") or "")


def expire_history(rt: Runtime, athlete_id: int = ATHLETE) -> None:
    """The athlete's history as the cache horizon leaves it: not read, so the next backfill or
    upload must ask Strava for it."""
    with rt.db.session() as session:
        session.execute(update(Athlete).where(Athlete.id == athlete_id)
                        .values(history_since=None, history_read_at=None))
