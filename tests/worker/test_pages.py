"""The athlete's pages: sessions, their own data only, settings, charts, logout and deletion."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, inspect, select
from starlette.testclient import TestClient

from analysis.model import is_run
from analysis.training import VARIETY_DAYS, is_strength_training
from analysis.voice import SECTIONS
from tests.worker.conftest import make_settings
from worker import preferences
from worker.cache import record_of
from worker.migrate import downgrade, upgrade
from worker.models import Activity, Athlete, Base, InboxEvent, StrandedJob, WebSession, utcnow
from worker.retention import prune_sessions
from worker.runtime import Runtime
from worker.strava import TokenGrant
from worker.web import create_app
from worker.web.oauth import SCOPE
from worker.web.pages import negotiate
from worker.web.session import SESSION_COOKIE, SESSION_DAYS, Sessions

A, B = 501, 502
SVG = "{http://www.w3.org/2000/svg}"
#: Each seeded athlete's activities: days ago, sport, workout.
PLAN = [(0, "Run", "easy"), (1, "WeightTraining", "strength"), (2, "Run", "hills"),
        (4, "Run", "easy"), (6, "Run", "long"), (8, "WeightTraining", "strength"),
        (9, "Run", "easy"), (11, "Run", "hills"), (13, "Ride", "cross_training"),
        (15, "Run", "easy"), (17, "Run", "recovery")]


@pytest.fixture
def rt(tmp_path: Path, migrated_database_url: str, redis_url: str) -> Iterator[Runtime]:
    """A runtime whose cache horizon is not the default, so pages must read it."""
    runtime = Runtime(make_settings(tmp_path, migrated_database_url, redis_url,
                                    STRAVA_CACHE_DAYS="5"))
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def app(rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(rt), base_url=rt.settings.public_url) as client:
        yield client


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


def athlete_a(now: datetime, read_days: float | None = None) -> Athlete:
    """Athlete A without usable tokens; their history read ``now``, ``read_days`` back (None:
    never read)."""
    since = None if read_days is None else now - timedelta(days=read_days)
    return Athlete(id=A, scope=SCOPE, expires_at=0, access_token="a", refresh_token="r",
                   history_since=since, history_read_at=None if since is None else now)


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


def rerender_events(rt: Runtime) -> list[InboxEvent]:
    with rt.db.session() as session:
        return list(session.scalars(select(InboxEvent).where(
            InboxEvent.aspect_type == "update").order_by(InboxEvent.id)).all())


# -- the front page -------------------------------------------------------------------------------


def test_the_front_page_explains_and_connects_in_the_browsers_language(
    rt: Runtime, app: TestClient,
) -> None:
    page = app.get("/", headers={"accept-language": "fr-CH, fr;q=0.9, en;q=0.8"})
    assert page.status_code == 200
    assert re.search(r'<a id="connect" class="strava-connect" href="/connect">'
                     r'Connect with Strava</a>', page.text)
    assert f"est conservé {rt.settings.cache_days:g} jours" in page.text  # in French
    assert "-- Stridewise --" in page.text and "-- end of Stridewise --" in page.text
    assert 'href="#main"' in page.text and 'id="main"' in page.text
    assert "http" not in re.sub(r'href="https://www\.strava\.com/[^"]*"', "",
                                page.text.split("<body>")[0])  # nothing from another host
    assert "default-src 'none'" in page.headers["content-security-policy"]


@pytest.mark.parametrize(("header", "expected"), [
    ("de-DE,de;q=0.9,en;q=0.5", "de"), ("it, es;q=0.4, fr;q=0.6", "fr"),
    ("pt-BR", "en"), ("", "en"), ("es;q=0, fr", "fr"), ("de;q=zz, es", "es"),
])
def test_the_browsers_language_is_negotiated_among_those_spoken(header: str,
                                                                expected: str) -> None:
    assert negotiate(header) == expected


# -- sessions -------------------------------------------------------------------------------------


def test_each_athlete_sees_their_own_activities_and_nobody_elses(
    rt: Runtime, app: TestClient,
) -> None:
    mine, theirs = add_athlete(rt, A, 1000), add_athlete(rt, B, 2000)
    sign_in(rt, app, A)
    page = app.get("/me")
    assert page.status_code == 200
    shown = {int(i) for i in re.findall(r'href="https://www\.strava\.com/activities/(\d+)"',
                                        page.text)}
    assert shown == set(mine)
    assert not shown & set(theirs)
    assert "evidence of 2000" not in page.text and "evidence of 1000" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "Powered by Strava" in page.text


def test_a_page_lists_activities_newest_first(rt: Runtime, app: TestClient) -> None:
    add_athlete(rt, A, 1000)
    sign_in(rt, app, A)
    shown = [int(i) for i in re.findall(r'strava\.com/activities/(\d+)"', app.get("/me").text)]
    with rt.db.session() as session:
        starts = {a.id: a.start_date for a in session.scalars(select(Activity))}
    assert [starts[i] for i in shown] == sorted(starts.values(), reverse=True)


@pytest.mark.parametrize("cookie", ["", "forged", "x" * 43])
def test_no_forged_or_unknown_cookie_shows_anything(
    rt: Runtime, app: TestClient, cookie: str,
) -> None:
    add_athlete(rt, A, 1000)
    sign_in(rt, app, A)  # a real session exists, but this browser does not hold it
    app.cookies.clear()
    if cookie:
        app.cookies.set(SESSION_COOKIE, cookie)
    for path in ("/me", "/me/settings", "/me/delete"):
        answer = app.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/")
    refused = app.post("/me/settings", data=settings_form("anything", units="imperial"))
    assert refused.status_code == 401
    assert "evidence of" not in refused.text


def test_an_expired_session_signs_nobody_in_and_its_row_goes(
    rt: Runtime, app: TestClient,
) -> None:
    add_athlete(rt, A, 1000)
    session_id, _ = Sessions(rt.db).start(A, now=utcnow() - timedelta(days=15))
    app.cookies.set(SESSION_COOKIE, session_id)
    answer = app.get("/me", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/")
    with rt.db.session() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0


def test_pruning_deletes_the_expired_sessions_only(rt: Runtime) -> None:
    add_athlete(rt, A, 1000)
    sessions = Sessions(rt.db)
    now = utcnow()
    sessions.start(A, now=now - timedelta(days=20))
    kept, _ = sessions.start(A, now=now)
    with rt.db.session() as session:
        assert prune_sessions(session, now) == 1
    assert sessions.current(kept) is not None


@pytest.mark.parametrize("public_url", ["http://127.0.0.1:8000", "https://stridewise.test"])
def test_the_oauth_callback_signs_the_athlete_in_with_a_strict_cookie(
    tmp_path: Path, migrated_database_url: str, redis_url: str, sandbox_url: str,
    public_url: str,
) -> None:
    strava_runtime = Runtime(make_settings(tmp_path, migrated_database_url, redis_url,
                                           STRAVA_BASE_URL=sandbox_url, PUBLIC_URL=public_url))
    strava_runtime.redis.flushdb()
    client = TestClient(create_app(strava_runtime), base_url=strava_runtime.settings.public_url)
    to_strava = client.get("/connect", follow_redirects=False)
    approved = httpx.get(to_strava.headers["location"] + "&sandbox_athlete=503")
    back = approved.headers["location"].split("/auth/callback", 1)[1]
    answer = client.get("/auth/callback" + back, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/me")
    cookie = next(c for c in answer.headers.get_list("set-cookie")
                  if c.startswith(SESSION_COOKIE + "="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= flags
    assert ("secure" in flags) == public_url.startswith("https://")
    max_age = int(re.search(r"Max-Age=(\d+)", cookie, re.I).group(1))  # type: ignore[union-attr]
    assert SESSION_DAYS * 86400 - 5 <= max_age <= SESSION_DAYS * 86400
    assert client.get("/me").status_code == 200
    with strava_runtime.db.session() as session:
        row = session.scalars(select(WebSession)).one()
        assert row.athlete_id == 503
        assert row.id_hash != cookie.split(";")[0].split("=", 1)[1]  # only its hash is kept
    strava_runtime.db.dispose()


# -- settings -------------------------------------------------------------------------------------


def test_settings_round_trip(rt: Runtime, app: TestClient) -> None:
    add_athlete(rt, A, 1000)
    sign_in(rt, app, A)
    csrf = csrf_of(app.get("/me/settings").text)
    kept = ["variety", "strength"]
    saved = app.post("/me/settings", data=settings_form(
        csrf, feedback=None, numbers=None, section=kept, units="imperial", language="de"),
        follow_redirects=False)
    assert (saved.status_code, saved.headers["location"]) == (303, "/me/settings?saved=block")
    with rt.db.session() as session:
        stored = preferences.load(session, A)
    assert stored == preferences.Preferences(feedback_on=False, language="de",
                                             units="imperial", public_numbers=False,
                                             sections=frozenset(kept))
    page = app.get(saved.headers["location"]).text
    assert 'role="status"' in page
    assert re.search(r'value="imperial" checked', page)
    assert re.search(r'<option value="de" lang="de" selected>Deutsch</option>', page)
    assert not re.search(r'name="feedback" value="on" checked', page)
    checked = re.findall(r'name="section" value="(\w+)" checked', page)
    assert checked == kept


def test_the_settings_form_has_what_the_browser_tests_rely_on(
    rt: Runtime, app: TestClient,
) -> None:
    add_athlete(rt, A, 1000)
    sign_in(rt, app, A)
    page = app.get("/me/settings").text
    assert '<form id="settings" method="post" action="/me/settings">' in page
    for name in ("feedback", "numbers", "units", "language", "csrf"):
        assert f'name="{name}"' in page
    assert re.findall(r'name="section" value="(\w+)"', page) == list(SECTIONS)
    for control in re.findall(r'<(?:input|select)[^>]*id="([^"]+)"', page):
        assert f'<label for="{control}">' in page  # every control is labelled
    assert 'id="save"' in page and 'id="logout"' in page and "#nostridewise" in page


@pytest.mark.parametrize("csrf", [None, "", "wrong", "other athlete"])
def test_a_settings_post_without_its_sessions_token_changes_nothing(
    rt: Runtime, app: TestClient, csrf: str | None,
) -> None:
    add_athlete(rt, A, 1000)
    add_athlete(rt, B, 2000)
    other = TestClient(create_app(rt), base_url=rt.settings.public_url)
    theirs = sign_in(rt, other, B)
    sign_in(rt, app, A)
    token = theirs if csrf == "other athlete" else csrf
    form = settings_form(token or "", units="imperial", language="es")
    if token is None:
        del form["csrf"]
    answer = app.post("/me/settings", data=form)
    assert answer.status_code == 401
    with rt.db.session() as session:
        assert preferences.load(session, A) == preferences.Preferences()
        assert preferences.load(session, B) == preferences.Preferences()
    assert rerender_events(rt) == []


@pytest.mark.parametrize(("field", "value"), [
    ("units", "furlongs"), ("language", "tlh"), ("section", ["variety", "horoscope"]),
    ("feedback", "yes please"), ("units", None),
])
def test_a_bad_setting_is_refused_naming_the_field(
    rt: Runtime, app: TestClient, field: str, value: object,
) -> None:
    add_athlete(rt, A, 1000)
    csrf = sign_in(rt, app, A)
    form = settings_form(csrf, language="fr")
    form[field] = value
    answer = app.post("/me/settings", data={k: v for k, v in form.items() if v is not None})
    assert answer.status_code == 400
    assert f"“{field}”" in answer.text
    with rt.db.session() as session:
        assert preferences.load(session, A) == preferences.Preferences()


def test_a_change_asks_once_for_the_latest_block_and_no_change_asks_nothing(
    rt: Runtime, app: TestClient,
) -> None:
    ids = add_athlete(rt, A, 1000)
    add_athlete(rt, B, 2000)
    csrf = sign_in(rt, app, A)
    with rt.db.session() as session:
        latest = session.scalar(select(Activity.id).where(Activity.athlete_id == A)
                                .order_by(Activity.start_date.desc()))
    assert latest in ids
    unchanged = app.post("/me/settings", data=settings_form(csrf), follow_redirects=False)
    assert unchanged.headers["location"] == "/me/settings?saved=1"
    assert rerender_events(rt) == []
    changed = app.post("/me/settings", data=settings_form(csrf, units="imperial"))
    assert "will be written again" in changed.text
    events = rerender_events(rt)
    assert [(e.object_type, e.object_id, e.owner_id, e.status) for e in events] == [
        ("activity", latest, A, "pending")]
    app.post("/me/settings", data=settings_form(csrf, units="imperial"))
    assert len(rerender_events(rt)) == 1
    app.post("/me/settings", data=settings_form(csrf, units="metric"))
    assert [e.object_id for e in rerender_events(rt)] == [latest, latest]  # a key per save


def test_a_change_with_nothing_cached_asks_for_no_block(rt: Runtime, app: TestClient) -> None:
    with rt.db.session() as session:
        session.add(athlete_a(utcnow()))
    csrf = sign_in(rt, app, A)
    assert app.post("/me/settings", data=settings_form(csrf, language="es")).status_code == 200
    assert rerender_events(rt) == []
    page = app.get("/me").text
    assert "aún no tiene ninguna de tus actividades" in page  # in Spanish, as just chosen
    assert 'class="chart"' not in page


# -- the athlete's weeks --------------------------------------------------------------------------


def charts_of(page: str) -> dict[str, ET.Element]:
    found = re.findall(r'<svg xmlns="http://www\.w3\.org/2000/svg" role="img" class="chart".*?'
                       r"</svg>", page, re.S)
    parsed = [ET.fromstring(svg) for svg in found]
    return {svg.attrib["data-chart"]: svg for svg in parsed}


def bars(svg: ET.Element, *keys: str) -> Counter[tuple[str, ...]]:
    totals: Counter[tuple[str, ...]] = Counter()
    for rect in svg.iter(SVG + "rect"):
        if "data-value" in rect.attrib:
            totals[tuple(rect.attrib[f"data-{k}"] for k in keys)] += int(
                float(rect.attrib["data-value"]))
    return totals


def monday(day: date) -> str:
    return (day - timedelta(days=day.weekday())).isoformat()


def test_charts_are_svg_whose_bars_count_the_athletes_rows(
    rt: Runtime, app: TestClient,
) -> None:
    add_athlete(rt, A, 1000)
    add_athlete(rt, B, 2000)
    sign_in(rt, app, A)
    page = app.get("/me").text
    drawn = charts_of(page)
    assert set(drawn) == {"mix", "load", "strength", "runs"}
    for svg in drawn.values():
        assert svg.attrib["role"] == "img"
        title = svg.find(SVG + "title")
        assert title is not None and title.text
        assert f"<caption>{title.text}</caption>" in page  # the same figures as a table
    with rt.db.session() as session:
        rows = session.scalars(select(Activity).where(Activity.athlete_id == A)).all()
        records = [record_of(row) for row in rows]
    by_label = Counter((monday(r.start.date()), r.workout.value) for r in records)
    runs = Counter((monday(r.start.date()),) for r in records if is_run(r.sport))
    strength = Counter((monday(r.start.date()),) for r in records if is_strength_training(r))
    assert bars(drawn["mix"], "week", "workout") == by_label
    assert bars(drawn["runs"], "week") == runs
    assert bars(drawn["strength"], "week") == strength
    today = utcnow().date()
    week_load = sum(r.load for r in records if (today - r.start.date()).days < 7)
    assert bars(drawn["load"], "load")[("week",)] == week_load
    assert drawn["strength"].find(f"{SVG}rect[@class='band']") is not None


def test_the_page_says_what_the_mix_worked_and_neglected(rt: Runtime, app: TestClient) -> None:
    add_athlete(rt, A, 1000)
    sign_in(rt, app, A)
    page = app.get("/me").text
    # PLAN holds hills and strength work: every group was worked, none neglected.
    assert "quads, glutes, hamstrings, calves" in page and "Neglected" not in page
    assert re.search(r'<p id="recovery">[^<]+\.</p>', page)
    with rt.db.session() as session:
        for row in session.scalars(select(Activity).where(Activity.sport == "WeightTraining")):
            session.delete(row)
    page = app.get("/me").text
    assert f"Worked in the last {VARIETY_DAYS} days: quads, glutes." in page
    assert "Neglected: hamstrings, calves; sprints work them." in page


# -- logout and deletion --------------------------------------------------------------------------


def test_logout_ends_the_session_for_good(rt: Runtime, app: TestClient) -> None:
    add_athlete(rt, A, 1000)
    csrf = sign_in(rt, app, A)
    old = app.cookies[SESSION_COOKIE]
    assert app.post("/logout", data={"csrf": "wrong"}).status_code == 401
    assert app.get("/me", follow_redirects=False).status_code == 200
    out = app.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert (out.status_code, out.headers["location"]) == (303, "/")
    cleared = out.headers["set-cookie"]
    assert cleared.startswith(f'{SESSION_COOKIE}="";') and "Max-Age=0" in cleared
    app.cookies.set(SESSION_COOKIE, old)
    assert app.get("/me", follow_redirects=False).headers["location"] == "/"
    with rt.db.session() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0


def athlete_rows(rt: Runtime, athlete_id: int) -> dict[str, int]:
    """Rows of every table that name the athlete, by table."""
    found = {}
    with rt.db.session() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name in ("athlete_id", "owner_id")]
            if table.name == "athletes":
                columns = [table.c.id]
            for column in columns:
                found[f"{table.name}.{column.name}"] = int(session.scalar(
                    select(func.count()).select_from(table).where(column == athlete_id)) or 0)
    return found


def test_delete_revokes_at_strava_and_leaves_nothing_of_the_athlete(
    strava_runtime: Runtime,
) -> None:
    rt = strava_runtime
    client = TestClient(create_app(rt), base_url=rt.settings.public_url)
    to_strava = client.get("/connect", follow_redirects=False)
    approved = httpx.get(to_strava.headers["location"] + "&sandbox_athlete=504")
    back = approved.headers["location"].split("/auth/callback", 1)[1]
    assert client.get("/auth/callback" + back).status_code == 200  # signed in, on /me
    token = rt.tokens.access_token(504)
    with rt.db.session() as session:
        session.add(Activity(id=9001, athlete_id=504, start_date=utcnow(), sport="Run",
                             workout="easy", confidence=1.0, distance_m=5000.0, moving_s=1500.0,
                             load=40.0, hard=False))
        session.add(InboxEvent(dedup_key="d9001", object_type="activity", aspect_type="create",
                               object_id=9001, owner_id=504, event_time=0))
        session.add(StrandedJob(actor="backfill", queue="backfill", athlete_id=504,
                                status="dead"))
    add_athlete(rt, A, 1000)  # someone else, who keeps everything
    confirm = client.get("/me/delete")
    assert confirm.status_code == 200 and 'id="delete"' in confirm.text
    assert athlete_rows(rt, 504)["web_sessions.athlete_id"] == 1
    done = client.post("/me/delete", data={"csrf": csrf_of(confirm.text)})
    assert done.status_code == 200
    assert re.search(r"<h1>[^<]+</h1>", done.text)
    assert athlete_rows(rt, 504) and not any(athlete_rows(rt, 504).values())
    assert athlete_rows(rt, A)["activities.athlete_id"] == len(PLAN)
    assert SESSION_COOKIE not in client.cookies
    revoked = httpx.get(f"{rt.settings.strava_base_url}/api/v3/athlete",
                        headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401


def test_delete_without_the_sessions_token_deletes_nothing(rt: Runtime, app: TestClient) -> None:
    add_athlete(rt, A, 1000)
    sign_in(rt, app, A)
    assert app.post("/me/delete", data={"csrf": "forged"}).status_code == 401
    assert app.post("/me/delete").status_code == 401
    assert athlete_rows(rt, A)["activities.athlete_id"] == len(PLAN)
    assert athlete_rows(rt, A)["athletes.id"] == 1



def test_a_short_history_says_what_it_cannot_judge_yet(rt: Runtime, app: TestClient) -> None:
    now = utcnow()
    with rt.db.session() as session:
        session.add(athlete_a(now, read_days=3))
        session.flush()
        session.add(Activity(id=7001, athlete_id=A, start_date=now - timedelta(hours=2),
                             sport="Run", workout="easy", confidence=1.0, distance_m=5000.0,
                             moving_s=1500.0, load=40.0, hard=False))
    sign_in(rt, app, A)
    page = app.get("/me").text
    assert "Not enough days on record yet to judge your recovery." in page
    assert "no average week to compare with" in page
    assert [b for b in charts_of(page)["load"].iter(SVG + "rect")
            if "data-load" in b.attrib][0].attrib["data-load"] == "week"


def test_hard_days_in_a_row_are_the_recovery_status(rt: Runtime, app: TestClient) -> None:
    now = utcnow()
    with rt.db.session() as session:
        session.add(athlete_a(now, read_days=30))
        session.flush()
        for days in range(0, 30, 2):
            session.add(Activity(id=7000 + days, athlete_id=A, sport="Run", workout="easy",
                                 start_date=now - timedelta(days=days, hours=1), confidence=1.0,
                                 distance_m=8000.0, moving_s=2700.0, load=60.0, hard=False))
        session.add(Activity(id=7101, athlete_id=A, sport="Run", workout="intervals",
                             start_date=now - timedelta(days=1, hours=1), confidence=1.0,
                             distance_m=8000.0, moving_s=2700.0, load=90.0, hard=True))
        latest = session.get(Activity, 7000)
        assert latest is not None
        latest.workout, latest.hard = "intervals", True
    sign_in(rt, app, A)
    assert '<p id="recovery">2 hard days in a row: an easy run or rest next.</p>' in (
        app.get("/me").text)


def test_an_athlete_strava_refuses_is_told_to_connect_again(rt: Runtime, app: TestClient) -> None:
    add_athlete(rt, A, 1000)
    sign_in(rt, app, A)
    assert 'href="/connect">' not in app.get("/me").text.split("<main")[1]
    rt.tokens.mark_needs_reauth(A, "Strava refused the refresh")
    assert 'href="/connect">' in app.get("/me").text.split("<main")[1]


def test_the_sessions_migration_goes_down_and_up_again(rt: Runtime) -> None:
    add_athlete(rt, A, 1000)
    Sessions(rt.db).start(A)
    downgrade(rt.db.engine, "0008")
    assert "web_sessions" not in inspect(rt.db.engine).get_table_names()
    upgrade(rt.db.engine)
    assert "web_sessions" in inspect(rt.db.engine).get_table_names()
    session_id, _ = Sessions(rt.db).start(A)
    assert Sessions(rt.db).current(session_id) is not None
