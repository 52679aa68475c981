"""The athlete's pages: sessions, their own data only, settings, charts, logout and deletion."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select
from starlette.testclient import TestClient

from analysis.feedback import TITLES
from analysis.model import Workout, is_run
from analysis.training import VARIETY_DAYS, is_strength_training
from analysis.voice import SECTIONS
from tests.conftest import REPO_ROOT
from tests.support import http, recordings
from tests.support.pages import PLAN, A, B, add_athlete, csrf_of, settings_form, sign_in
from tests.worker.conftest import make_settings
from worker import leaving, preferences
from worker.cache import record_of
from worker.forget import forget_athlete
from worker.migrate import downgrade, upgrade
from worker.models import Activity, Athlete, Base, InboxEvent, StrandedJob, WebSession, utcnow
from worker.retention import prune_sessions
from worker.runtime import Runtime
from worker.web import create_app
from worker.web.oauth import SCOPE
from worker.web.pages import PAGE_SIZE, negotiate
from worker.web.rereads import SAVE_REFILL_S, SAVES_BURST
from worker.web.session import SESSION_COOKIE, SESSION_DAYS, Sessions

SVG = "{http://www.w3.org/2000/svg}"


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


def athlete_a(now: datetime, read_days: float | None = None) -> Athlete:
    """Athlete A without usable tokens; their history read ``now``, ``read_days`` back (None:
    never read)."""
    since = None if read_days is None else now - timedelta(days=read_days)
    return Athlete(id=A, scope=SCOPE, expires_at=0, access_token="a", refresh_token="r",
                   history_since=since, history_read_at=None if since is None else now)


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
    assert '<p class="powered">Powered by Strava</p>' in page.text  # Strava's attribution
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


def test_without_an_operator_the_front_and_privacy_pages_say_nobody_is_named(
    app: TestClient,
) -> None:
    for path in ("/", "/privacy"):
        page = app.get(path, headers={"accept-language": "en"})
        assert page.status_code == 200
        assert "has not named themselves" in page.text
        assert "mailto:" not in page.text


def test_the_named_operator_and_how_to_reach_them_are_on_the_front_and_privacy_pages(
    tmp_path: Path, migrated_database_url: str, redis_url: str,
) -> None:
    runtime = Runtime(make_settings(tmp_path, migrated_database_url, redis_url,
                                    STRIDEWISE_OPERATOR="Jane Runner <jane@example.com>"))
    try:
        with TestClient(create_app(runtime), base_url=runtime.settings.public_url) as client:
            for path in ("/", "/privacy"):
                page = client.get(path, headers={"accept-language": "de"})
                assert re.search(r'Jane Runner.*<a href="mailto:jane@example\.com">'
                                 r"jane@example\.com</a>", page.text)
                assert "has not named themselves" not in page.text
                assert '<html lang="de">' in page.text
    finally:
        runtime.db.dispose()


def test_the_privacy_page_says_what_is_kept_how_long_and_how_to_delete_it(
    rt: Runtime, app: TestClient,
) -> None:
    page = app.get("/privacy", headers={"accept-language": "en"})
    assert page.status_code == 200 and "<title>Privacy" in page.text
    kept = re.search(r'<section aria-labelledby="kept-title">(.*?)</section>', page.text, re.S)
    assert kept is not None
    assert f"For {rt.settings.cache_days:g} days from when it was read" in kept.group(1)
    assert "14 days" in kept.group(1) and "Never stored" in kept.group(1)
    assert 'href="/me/delete"' in page.text and "My Apps" in page.text
    assert 'href="/privacy"' in app.get("/").text
    assert "Datenschutz" in app.get("/privacy", headers={"accept-language": "de"}).text


@pytest.mark.parametrize("language", ["en", "de", "es", "fr"])
def test_the_front_pages_example_block_is_in_the_pages_language(
    app: TestClient, language: str,
) -> None:
    page = app.get(f"/?lang={language}").text
    block = re.search(r'<pre class="block"[^>]*>(.*?)</pre>', page, re.S)
    assert block is not None and f'<html lang="{language}">' in page
    headline = block.group(1).split("-- Stridewise --\n")[1].split(":")[0]
    assert headline == {"en": "Easy", "de": "Lockerer Lauf", "es": "Rodaje",
                        "fr": "Footing"}[language]
    assert page.index('id="connect"') < page.index('id="example-title"')  # Connect on top


def test_the_front_pages_examples_are_what_the_analysis_writes_today() -> None:
    """The Makefile's example (make examples), judged as `stridewise analyze --history` does."""
    from analysis.parsers.sessions import distinct
    from worker.analyze import build_history, judge_file
    from worker.preferences import Preferences
    from worker.web.pages import example_block

    history_dir = REPO_ROOT / "tests/data/history/runpandas-athlete"
    race = history_dir / "e960762f-c841-4dc2-8498-e1dba8fc9a97.gpx.gz"
    history = build_history(distinct([s for path in sorted(history_dir.glob("*.gpx.gz"))
                                      for s in recordings.sessions(path)]))
    activity = recordings.activity(race)
    for language in ("en", "de", "es", "fr"):
        [judged] = judge_file(race.name, [activity], None, history,
                              Preferences(language=language).voice())
        assert example_block(language) == judged.block.rstrip("\n"), (
            f"the {language} example is stale: run make examples")


@pytest.mark.parametrize(("accept", "language"), [("de", "de"), ("es-MX", "es")])
def test_not_found_and_wrong_method_are_pages_in_the_readers_language(
    app: TestClient, accept: str, language: str,
) -> None:
    headers = {"accept": "text/html,application/xhtml+xml", "accept-language": accept}
    for answer, status in ((app.get("/no/such/page", headers=headers), 404),
                           (app.post("/privacy", headers=headers), 405)):
        assert answer.status_code == status
        assert f'<html lang="{language}">' in answer.text
        assert re.search(r"<title>[^<]+ · Stridewise</title>", answer.text)
        assert 'class="skip-link"' in answer.text and "<h1>" in answer.text
    assert 'href="/connect"' in app.get("/no/such/page", headers=headers).text
    bare = app.get("/no/such/page")  # not a browser: the status line alone
    assert (bare.status_code, bare.text) == (404, "Not Found")


def test_the_favicon_is_drawn_here(app: TestClient) -> None:
    icon = app.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    svg = ET.fromstring(icon.text)
    assert svg.tag == f"{SVG}svg" and "http" not in icon.text.replace(
        "http://www.w3.org/2000/svg", "")


# -- sessions -------------------------------------------------------------------------------------


def test_each_athlete_sees_their_own_activities_and_nobody_elses(
    rt: Runtime, app: TestClient,
) -> None:
    mine, theirs = add_athlete(rt, A, 1000), add_athlete(rt, B, 2000)
    sign_in(rt, app, A)
    page = app.get("/me")
    assert page.status_code == 200
    shown = set(listed_ids(app))
    assert shown == set(mine)
    assert not shown & set(theirs)
    assert "evidence of 2000" not in page.text and "evidence of 1000" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "Powered by Strava" in page.text


def test_a_page_lists_activities_newest_first(rt: Runtime, app: TestClient) -> None:
    add_athlete(rt, A, 1000)
    sign_in(rt, app, A)
    shown = listed_ids(app)
    with rt.db.session() as session:
        starts = {a.id: a.start_date for a in session.scalars(select(Activity))}
    assert [starts[i] for i in shown] == sorted(starts.values(), reverse=True)


def listed_ids(app: TestClient) -> list[int]:
    """The activities /me lists, page after page, following its "Older" links."""
    shown: list[int] = []
    path: str | None = "/me"
    while path is not None:
        page = app.get(path).text
        shown += [int(i) for i in re.findall(r'href="https://www\.strava\.com/activities/(\d+)"',
                                             page)]
        older = re.search(r'<a href="(/me\?page=\d+)#activities" rel="next">', page)
        path = older.group(1) if older else None
    return shown


def test_the_list_comes_in_pages_with_a_link_past_it(rt: Runtime, app: TestClient) -> None:
    ids = add_athlete(rt, A, 1000)
    sign_in(rt, app, A)
    first = app.get("/me").text
    links = re.findall(r'href="https://www\.strava\.com/activities/(\d+)"', first)
    assert len(links) == PAGE_SIZE < len(ids)
    assert 'href="#after-activities"' in first and 'id="after-activities"' in first
    assert first.index('href="#after-activities"') < first.index(
        f'href="https://www.strava.com/activities/{links[0]}"')
    pages = -(-len(ids) // PAGE_SIZE)
    last = app.get(f"/me?page={pages}").text
    assert 'rel="prev"' in last and 'rel="next"' not in last
    assert app.get(f"/me?page={pages + 1}").status_code == 404
    for bad in ("0", "-1", "two"):
        answer = app.get(f"/me?page={bad}")
        assert answer.status_code == 400 and "numbered from 1" in answer.text


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
    approved = http.get(to_strava.headers["location"] + "&sandbox_athlete=503")
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


@pytest.mark.parametrize(("how", "expected"), [("browser", "de"), ("choice", "fr"),
                                               ("returning", "es")])
def test_a_connecting_athlete_keeps_the_language_they_read_the_front_page_in(
    tmp_path: Path, migrated_database_url: str, redis_url: str, sandbox_url: str, how: str,
    expected: str,
) -> None:
    rt = Runtime(make_settings(tmp_path, migrated_database_url, redis_url,
                               STRAVA_BASE_URL=sandbox_url))
    rt.redis.flushdb()
    if how == "returning":  # their own choice of language in settings stands
        with rt.db.session() as session:
            session.add(Athlete(id=505, scope=SCOPE, expires_at=0, access_token="a",
                                refresh_token="r", language="es"))
    client = TestClient(create_app(rt), base_url=rt.settings.public_url,
                        headers={"accept-language": "de-AT,de;q=0.9"})
    if how == "choice":
        assert '<html lang="fr">' in client.get("/?lang=fr").text
        assert '<html lang="fr">' in client.get("/").text  # the choice is remembered
    to_strava = client.get("/connect", follow_redirects=False)
    approved = http.get(to_strava.headers["location"] + "&sandbox_athlete=505")
    back = approved.headers["location"].split("/auth/callback", 1)[1]
    assert client.get("/auth/callback" + back, follow_redirects=False).status_code == 303
    with rt.db.session() as session:
        assert preferences.load(session, 505) == preferences.Preferences(language=expected)
    assert f'<html lang="{expected}">' in client.get("/me").text
    rt.db.dispose()


# -- settings -------------------------------------------------------------------------------------


def test_settings_round_trip(rt: Runtime, app: TestClient) -> None:
    add_athlete(rt, A, 1000)
    sign_in(rt, app, A)
    csrf = csrf_of(app.get("/me/settings").text)
    kept = ["variety", "strength"]
    saved = app.post("/me/settings", data=settings_form(
        csrf, feedback=None, numbers=None, section=kept, units="imperial", language="de"),
        follow_redirects=False)
    assert (saved.status_code, saved.headers["location"]) == (303, "/me/settings?saved=off")
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


def test_saves_while_a_reread_waits_are_coalesced_into_it_until_it_starts(
    rt: Runtime, app: TestClient,
) -> None:
    add_athlete(rt, A, 1000)
    csrf = sign_in(rt, app, A)
    for units in ("imperial", "metric", "imperial"):
        app.post("/me/settings", data=settings_form(csrf, units=units))
    [waiting] = rerender_events(rt)
    with rt.db.session() as session:  # a worker took it: it may have read the old settings
        row = session.get(InboxEvent, waiting.id)
        assert row is not None
        row.attempts = 1
    app.post("/me/settings", data=settings_form(csrf, units="metric"))
    events = rerender_events(rt)
    assert len(events) == 2 and events[1].object_id == waiting.object_id


def test_saves_past_the_athletes_allowance_are_refused_for_a_while_and_change_nothing(
    rt: Runtime, app: TestClient,
) -> None:
    add_athlete(rt, A, 1000)
    add_athlete(rt, B, 2000)
    csrf = sign_in(rt, app, A)
    answers = [app.post("/me/settings", data=settings_form(
        csrf, units="imperial" if i % 2 == 0 else "metric")) for i in range(SAVES_BURST + 1)]
    assert [a.status_code for a in answers] == [200] * SAVES_BURST + [429]
    refused = answers[-1]
    assert 0 < int(refused.headers["retry-after"]) <= SAVE_REFILL_S
    assert "Too many saves" in refused.text and "Nothing was changed" in refused.text
    with rt.db.session() as session:
        assert preferences.load(session, A) == preferences.Preferences(units="metric")
    other = TestClient(app.app, base_url=rt.settings.public_url)
    csrf_b = sign_in(rt, other, B)
    assert other.post("/me/settings", data=settings_form(csrf_b, units="imperial")
                      ).status_code == 200  # the allowance is each athlete's own


def test_turning_feedback_off_says_no_block_is_written_and_asks_for_none(
    rt: Runtime, app: TestClient,
) -> None:
    add_athlete(rt, A, 1000)
    csrf = sign_in(rt, app, A)
    page = app.post("/me/settings", data=settings_form(csrf, feedback=None)).text
    assert "writes no block into your activities from now on" in page
    assert "will be written again" not in page
    assert rerender_events(rt) == []
    again = app.post("/me/settings", data=settings_form(csrf)).text
    assert "will be written again" in again and len(rerender_events(rt)) == 1


def test_right_after_connecting_me_says_the_weeks_are_being_read_and_reloads_until_done(
    rt: Runtime, app: TestClient,
) -> None:
    now = utcnow()
    with rt.db.session() as session:
        session.add(athlete_a(now))  # connected now, history not read yet
    sign_in(rt, app, A)
    page = app.get("/me").text
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "reading your last weeks from Strava" in page and "next activity" not in page
    assert '<a href="/me?still=1">Stop refreshing</a>' in page
    still = app.get("/me?still=1").text  # the reader turned the reload off
    assert 'http-equiv="refresh"' not in still and "reading your last weeks" in still
    assert '<a href="/me">Refresh by itself again</a>' in still
    with rt.db.session() as session:
        athlete = session.get(Athlete, A)
        assert athlete is not None
        athlete.connected_at = now - timedelta(hours=1)  # a quota that long busy
    page = app.get("/me").text
    assert 'http-equiv="refresh"' not in page and "still reading" in page
    with rt.db.session() as session:
        athlete = session.get(Athlete, A)
        assert athlete is not None
        athlete.history_since, athlete.history_read_at = now - timedelta(days=30), now
    page = app.get("/me").text
    assert 'http-equiv="refresh"' not in page and "reading your last weeks" not in page
    assert "Come back after your next activity" in page


# -- one activity ---------------------------------------------------------------------------------


def test_an_activitys_page_shows_its_evidence_figures_block_and_strava_link(
    rt: Runtime, app: TestClient,
) -> None:
    ids = add_athlete(rt, A, 1000)
    with rt.db.session() as session:
        row = session.get(Activity, ids[2])
        assert row is not None
        row.avg_hr, row.max_hr, row.ascent_m = 151.4, 177.0, 212.0
        row.block, row.block_written_at = "-- Stridewise --\nHills: 6 reps\n-- end --", utcnow()
    sign_in(rt, app, A)
    page = app.get(f"/me/activities/{ids[2]}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = page.text
    assert f"evidence of {ids[2]}" in text
    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", text))
    assert facts["Distance"] == "8.0 km" and facts["Moving time"] == "45:00"
    assert facts["Average heart rate"] == "151 bpm" and facts["Climb"] == "212 m"
    assert facts["Recovery"].startswith("a hard day") and facts["How sure"] == "90 %"
    assert "Hills: 6 reps" in text
    assert f'href="https://www.strava.com/activities/{ids[2]}"' in text
    assert f'href="/me/activities/{ids[2]}"' in app.get("/me").text


@pytest.mark.parametrize("whose", ["another athlete's", "unknown"])
def test_an_activity_not_the_athletes_own_is_not_found_alike(
    rt: Runtime, app: TestClient, whose: str,
) -> None:
    add_athlete(rt, A, 1000)
    theirs = add_athlete(rt, B, 2000)
    sign_in(rt, app, A)
    activity_id = theirs[0] if whose == "another athlete's" else 999_999
    page = app.get(f"/me/activities/{activity_id}")
    assert page.status_code == 404
    assert "evidence of" not in page.text and "<title>Page not found" in page.text
    assert app.get("/me/activities/1x").status_code == 404


def label_of(rt: Runtime, activity_id: int) -> tuple[str, str | None]:
    with rt.db.session() as session:
        row = session.get(Activity, activity_id)
        assert row is not None
        return row.workout, row.workout_chosen


def test_a_corrected_label_replaces_the_label_in_the_weeks_and_asks_for_the_block(
    rt: Runtime, app: TestClient,
) -> None:
    ids = add_athlete(rt, A, 1000)
    csrf = sign_in(rt, app, A)
    easy = ids[0]
    before = bars(charts_of(app.get("/me").text)["mix"], "workout")
    answer = app.post(f"/me/activities/{easy}/label", data={"csrf": csrf, "label": "race"},
                      follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/me/activities/{easy}?saved=label"
    assert label_of(rt, easy) == ("race", "race")
    after = bars(charts_of(app.get("/me").text)["mix"], "workout")
    assert after[("race",)] == before[("race",)] + 1
    assert after[("easy",)] == before[("easy",)] - 1
    assert [(e.object_id, e.owner_id) for e in rerender_events(rt)] == [(easy, A)]
    page = app.get(f"/me/activities/{easy}").text
    assert "your correction" in page and '<option value="race" selected>' in page
    with rt.db.session() as session:  # the worker took that re-read: no longer coalescing
        taken = session.get(InboxEvent, rerender_events(rt)[0].id)
        assert taken is not None
        taken.attempts = 1
    again = app.post(f"/me/activities/{easy}/label", data={"csrf": csrf, "label": "race"})
    assert again.status_code == 200 and len(rerender_events(rt)) == 1  # the same word again
    app.post(f"/me/activities/{easy}/label", data={"csrf": csrf, "label": "tempo"})
    assert len(rerender_events(rt)) == 2  # a new word: read again


@pytest.mark.parametrize("label", ["marathon", "", "Race", "easy "])
def test_a_label_that_is_not_a_workout_label_is_a_clear_400(
    rt: Runtime, app: TestClient, label: str,
) -> None:
    ids = add_athlete(rt, A, 1000)
    csrf = sign_in(rt, app, A)
    answer = app.post(f"/me/activities/{ids[0]}/label", data={"csrf": csrf, "label": label})
    assert answer.status_code == 400
    assert "not a workout label" in answer.text and "cross_training" in answer.text
    assert label_of(rt, ids[0]) == ("easy", None) and rerender_events(rt) == []


def test_a_label_without_the_sessions_token_or_for_anothers_activity_changes_nothing(
    rt: Runtime, app: TestClient,
) -> None:
    mine = add_athlete(rt, A, 1000)
    theirs = add_athlete(rt, B, 2000)
    csrf = sign_in(rt, app, A)
    assert app.post(f"/me/activities/{mine[0]}/label",
                    data={"csrf": "forged", "label": "race"}).status_code == 401
    assert app.post(f"/me/activities/{theirs[0]}/label",
                    data={"csrf": csrf, "label": "race"}).status_code == 404
    assert label_of(rt, mine[0]) == ("easy", None) and label_of(rt, theirs[0]) == ("easy", None)
    assert rerender_events(rt) == []


def test_a_corrected_label_goes_with_its_activity_and_its_athlete(
    rt: Runtime, app: TestClient,
) -> None:
    ids = add_athlete(rt, A, 1000)
    csrf = sign_in(rt, app, A)
    app.post(f"/me/activities/{ids[0]}/label", data={"csrf": csrf, "label": "tempo"})
    with rt.db.session() as session:
        chosen = session.scalars(select(Activity.workout_chosen).where(
            Activity.workout_chosen.is_not(None))).all()
    assert chosen == ["tempo"]
    with rt.db.session() as session:
        session.delete(session.get(Activity, ids[0]))  # as retention or a delete event does
    assert label_of_any(rt) == []
    app.post(f"/me/activities/{ids[1]}/label", data={"csrf": csrf, "label": "tempo"})
    forget_athlete(rt, A, revoke=False)
    assert label_of_any(rt) == []


def label_of_any(rt: Runtime) -> list[str | None]:
    with rt.db.session() as session:
        return list(session.scalars(select(Activity.workout_chosen).where(
            Activity.workout_chosen.is_not(None))).all())


def test_a_change_with_nothing_cached_asks_for_no_block(rt: Runtime, app: TestClient) -> None:
    with rt.db.session() as session:
        session.add(athlete_a(utcnow(), read_days=30))
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
    assert set(drawn) == {"mix", "distance", "load", "strength", "runs"}
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
    approved = http.get(to_strava.headers["location"] + "&sandbox_athlete=504")
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
    revoked = http.get(f"{rt.settings.strava_base_url}/api/v3/athlete",
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


def test_the_label_migration_goes_down_keeping_the_activities_and_up_again(
    rt: Runtime,
) -> None:
    ids = add_athlete(rt, A, 1000)
    downgrade(rt.db.engine, "0011")
    columns = {c["name"] for c in inspect(rt.db.engine).get_columns("activities")}
    assert not {"workout_chosen", "block"} & columns
    upgrade(rt.db.engine)
    columns = {c["name"] for c in inspect(rt.db.engine).get_columns("activities")}
    assert {"workout_chosen", "block"} <= columns
    assert label_of(rt, ids[0]) == ("easy", None)


def test_the_load_chart_gives_the_ratio_of_its_bars_and_says_what_load_is(
    rt: Runtime, app: TestClient,
) -> None:
    add_athlete(rt, A, 1000)
    sign_in(rt, app, A)
    page = app.get("/me").text
    load = charts_of(page)["load"]
    values = {b.attrib["data-load"]: float(b.attrib["data-value"])
              for b in load.iter(SVG + "rect") if "data-load" in b.attrib}
    ratio = values["week"] / values["usual"]
    assert abs(float(load.attrib["data-ratio"]) - ratio) < 0.01
    assert f"The last 7 days carry {ratio:.1f}x the load of your average week." in page
    assert "Load is the training impulse (TRIMP)" in page


def test_pages_are_compressed_for_browsers_that_accept_it(rt: Runtime, app: TestClient) -> None:
    add_athlete(rt, A, 1000)
    sign_in(rt, app, A)
    page = app.get("/me", headers={"accept-encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip" and "<svg" in page.text
    assert int(page.headers["content-length"]) < len(page.text.encode()) / 3
    plain = app.get("/me", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == page.text


def test_running_distance_and_time_per_week_add_up_the_runs_in_the_athletes_units(
    rt: Runtime, app: TestClient,
) -> None:
    add_athlete(rt, A, 1000)
    csrf = sign_in(rt, app, A)
    with rt.db.session() as session:
        runs = [record_of(row) for row in session.scalars(select(Activity).where(
            Activity.athlete_id == A)).all() if is_run(row.sport)]
    metres: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    for run in runs:
        metres[monday(run.start.date())] += run.distance_m
        seconds[monday(run.start.date())] += run.moving_s
    for units, per_unit in (("metric", 1000.0), ("imperial", 1609.344)):
        app.post("/me/settings", data=settings_form(csrf, units=units))
        chart = charts_of(app.get("/me").text)["distance"]
        drawn = {b.attrib["data-week"]: (float(b.attrib["data-value"]), int(b.attrib["data-time"]))
                 for b in chart.iter(SVG + "rect") if "data-week" in b.attrib}
        assert {w: round(v, 1) for w, (v, _) in drawn.items()} == {
            w: round(m / per_unit, 1) for w, m in metres.items() if m}
        assert {w: t for w, (_, t) in drawn.items()} == {
            w: round(s) for w, s in seconds.items() if metres[w]}


def test_dates_are_written_in_the_readers_language_and_times_to_the_second(
    rt: Runtime, app: TestClient,
) -> None:
    ids = add_athlete(rt, A, 1000)
    csrf = sign_in(rt, app, A)
    app.post("/me/settings", data=settings_form(csrf, language="de"))
    with rt.db.session() as session:
        row = session.get(Activity, ids[0])
        assert row is not None
        started = row.start_date.date()
    german_month = ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.",
                    "Okt.", "Nov.", "Dez."][started.month - 1]
    listed = app.get("/me").text.split('id="activities-title"')[1]
    assert f"{started.day}. {german_month} {started.year}" in listed
    assert started.isoformat() not in listed
    assert " · 45:00</p>" in listed  # moving time to the second


def preview_of(page: str) -> str:
    found = re.search(r'<pre class="block" id="preview"[^>]*>(.*?)</pre>', page, re.S)
    assert found is not None, "no preview on the page"
    return found.group(1)


def test_settings_preview_the_latest_block_with_the_options_chosen_without_saving(
    rt: Runtime, app: TestClient,
) -> None:
    ids = add_athlete(rt, A, 1000)
    csrf = sign_in(rt, app, A)
    shown = preview_of(app.get("/me/settings").text)
    lines = shown.splitlines()
    assert lines[0] == "-- Stridewise --" and lines[-1] == "-- end of Stridewise --"
    assert lines[1] == f"Easy: evidence of {ids[0]}"  # the latest, with its evidence
    assert any(line.startswith("Consistency:") for line in lines)
    previewed = app.post("/me/settings", data={**settings_form(
        csrf, language="de", section=[s for s in SECTIONS if s != "consistency"]),
        "action": "preview"})
    assert previewed.status_code == 200
    german = preview_of(previewed.text).splitlines()
    easy = preferences.Preferences(language="de").voice().gettext(TITLES[Workout.EASY])
    assert german[1].startswith(f"{easy}: ") and "evidence of" not in german[1]  # English
    # evidence is left out of a German block: the figures stand in for it
    assert not any(line.startswith(("Consistency:", "Regelmäßigkeit:")) for line in german)
    assert any(line.startswith("Mix, 28 Tage:") for line in german)
    assert '<html lang="de">' in previewed.text
    with rt.db.session() as session:
        assert preferences.load(session, A) == preferences.Preferences()
    assert rerender_events(rt) == []


def test_with_nothing_cached_settings_have_nothing_to_preview(
    rt: Runtime, app: TestClient,
) -> None:
    with rt.db.session() as session:
        session.add(athlete_a(utcnow(), read_days=30))
    sign_in(rt, app, A)
    page = app.get("/me/settings").text
    assert "nothing to preview" in page and 'id="preview"' not in page


def test_the_charts_and_the_list_count_the_athletes_local_days_not_utc_days(
    rt: Runtime, app: TestClient,
) -> None:
    """A run at 23:30 on a Sunday in New York (UTC-5) is on Monday 04:30 in UTC: it belongs to
    the week of that Sunday, as the block counts it, not to the next one."""
    today = utcnow().date()
    sunday = today - timedelta(days=today.weekday() + 8)  # the Sunday of two weeks ago
    local = datetime.combine(sunday, datetime.min.time()) + timedelta(hours=23, minutes=30)
    offset = timedelta(hours=-5)
    with rt.db.session() as session:
        session.add(athlete_a(utcnow(), read_days=30))
        session.flush()
        session.add(Activity(id=7000, athlete_id=A, sport="Run", workout="easy",
                             start_date=(local - offset).replace(tzinfo=UTC),
                             utc_offset_s=int(offset.total_seconds()),
                             confidence=0.9, distance_m=8000.0, moving_s=2700.0, load=60.0,
                             hard=False))
        # In this week, also in the first two hours of a Monday.
        this_week = datetime.combine(today - timedelta(days=today.weekday()),
                                     datetime.min.time(), UTC)
        session.add(Activity(id=7001, athlete_id=A, sport="Run", workout="tempo",
                             start_date=max(utcnow() - timedelta(hours=2), this_week),
                             utc_offset_s=0,
                             confidence=0.9, distance_m=8000.0, moving_s=2700.0, load=60.0,
                             hard=True))
    sign_in(rt, app, A)
    page = app.get("/me").text
    drawn = charts_of(page)
    assert (local - offset).date() == sunday + timedelta(days=1)  # UTC's Monday
    assert bars(drawn["mix"], "week", "workout")[(monday(sunday), "easy")] == 1
    assert bars(drawn["runs"], "week")[(monday(sunday),)] == 1
    assert bars(drawn["runs"], "week")[(monday(sunday + timedelta(days=1)),)] == 0
    assert sunday.strftime("%a, %b %-d, %Y") in page  # listed on its local day


def test_deleting_with_the_blocks_removed_shows_progress_then_what_was_done(
    strava_runtime: Runtime,
) -> None:
    rt = strava_runtime
    client = TestClient(create_app(rt), base_url=rt.settings.public_url)
    to_strava = client.get("/connect", follow_redirects=False)
    approved = http.get(to_strava.headers["location"] + "&sandbox_athlete=505")
    back = approved.headers["location"].split("/auth/callback", 1)[1]
    assert client.get("/auth/callback" + back).status_code == 200
    text = "Felt strong.\r\nWindy."
    made = http.post(f"{rt.settings.strava_base_url}/_sandbox/athletes/505/activities",
                     json={"workout": "easy", "seed": 3, "notify": False,
                            "description": text + "\n\n-- Stridewise --\nEasy.\n"
                                                  "-- end of Stridewise --"})
    activity_id = int(made.json()["id"])
    with rt.db.session() as session:
        session.add(Activity(id=activity_id, athlete_id=505, start_date=utcnow(), sport="Run",
                             workout="easy", confidence=1.0, distance_m=5000.0, moving_s=1500.0,
                             load=40.0, hard=False, block_digest="a" * 64))
    confirm = client.get("/me/delete")
    assert re.search(r'<input type="radio" id="blocks-cache" name="blocks" value="cache">\s*'
                     r'<label for="blocks-cache">[^<]*: 1 block known\.</label>', confirm.text)
    csrf = csrf_of(confirm.text)
    assert client.post("/me/delete", data={"csrf": csrf, "blocks": "7"}).status_code == 400
    started = client.post("/me/delete", data={"csrf": csrf, "blocks": "cache"},
                          follow_redirects=False)
    assert (started.status_code, started.headers["location"]) == (303, "/me/delete")
    watching = client.get("/me/delete")
    assert 'href="/me/delete" id="check-again"' in watching.text
    assert "0 of 1 descriptions read" in watching.text
    while leaving.step(rt, 505):
        pass
    done = client.get("/me/delete")
    assert done.status_code == 200 and 'id="removed"' in done.text
    assert "Stridewise removed 1 block from your descriptions." in done.text
    assert SESSION_COOKIE not in client.cookies
    assert athlete_rows(rt, 505) and not any(athlete_rows(rt, 505).values())
    described = http.get(f"{rt.settings.strava_base_url}/_sandbox/activities/{activity_id}")
    assert described.json()["description"] == text
