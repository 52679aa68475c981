"""Evidence written at the analysis in every language, shown on the athlete's pages in the
language they read them in, whatever language it was analysed in."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

from sqlalchemy import inspect, select
from starlette.testclient import TestClient

from analysis import engine
from analysis.profile import build_profile
from tests.browser.language import english_left, translated_lines
from tests.support.athlete import connect
from tests.support.history import ATHLETE, seed_history, upload
from tests.support.outings import ATHLETE as STORED
from tests.support.outings import recordings, store
from tests.support.pages import csrf_of, settings_form, sign_in
from tests.support.voices import numbers, voice
from tests.worker.conftest import make_settings
from worker import history, i18n, sync
from worker.budget import across_resets
from worker.cache import languages
from worker.migrate import downgrade, upgrade
from worker.models import Activity, Athlete
from worker.runtime import Runtime
from worker.web import create_app
from worker.web.pages import PAGE_SIZE

#: The note an activity's page shows when the row has no evidence in the reader's language.
ELSEWHERE = ("The evidence was written in another language; it is shown in yours once the "
             "activity is read again.")


def note(language: str) -> str:
    return i18n.translator(language).gettext(ELSEWHERE)


def rows(rt: Runtime) -> list[Activity]:
    with rt.db.session() as session:
        found = list(session.scalars(select(Activity).where(Activity.athlete_id == ATHLETE)))
        session.expunge_all()
    return found


def evidence_on(page: str) -> list[str]:
    """The evidence of each activity /me lists, as its reader sees it."""
    return [html.unescape(e) for e in re.findall(
        r"<p>[^<]*<strong>[^<]*</strong>: ([^<]*)</p>", page)]


def switch_to(rt: Runtime, client: TestClient, language: str) -> None:
    csrf = csrf_of(client.get("/me/settings").text)
    saved = client.post("/me/settings", data=settings_form(csrf, language=language),
                        follow_redirects=False)
    assert saved.status_code == 303
    with rt.db.session() as session:
        athlete = session.get(Athlete, ATHLETE)
        assert athlete is not None and athlete.language == language


def test_activities_analysed_in_english_show_german_evidence_once_the_athlete_reads_german(
    strava_runtime: Runtime,
) -> None:
    """The history read (summaries, in memory) and a live upload (read in detail), both
    analysed while the athlete read English; after the switch /me and each activity's page show
    the evidence in German: the same figures as the English, in German words."""
    rt = strava_runtime
    seed_history(rt, days=10)
    connect(rt, ATHLETE)
    across_resets(lambda: history.refresh(rt, ATHLETE))
    live = upload(rt, "intervals", 2)
    assert across_resets(lambda: sync.sync_activity(rt, ATHLETE, live)).wrote
    analysed = rows(rt)
    assert live in {row.id for row in analysed} and len(analysed) > 2
    assert {row.evidence_language for row in analysed} == {"en"}
    with TestClient(create_app(rt), base_url=rt.settings.public_url) as client:
        sign_in(rt, client, ATHLETE)
        switch_to(rt, client, "de")
        pages = math.ceil(len(analysed) / PAGE_SIZE)
        shown = [e for n in range(1, pages + 1)
                 for e in evidence_on(client.get(f"/me?page={n}").text)]
        one = {row.id: client.get(f"/me/activities/{row.id}").text for row in analysed}
    assert len(shown) == len(analysed), shown
    for row in analysed:
        german = json.loads(row.evidence_texts or "{}").get("de", "")
        assert german in shown and german != row.evidence, (row.id, german)
        assert translated_lines([german], "de") and not english_left([german], "de"), german
        assert numbers(german) == numbers(row.evidence), (row.evidence, german)
        assert f'<p id="evidence">{html.escape(german)}</p>' in one[row.id]
        assert note("de") not in html.unescape(one[row.id])
    assert not {row.evidence for row in analysed} & set(shown)


def test_a_row_analysed_before_every_language_was_kept_shows_its_evidence_in_its_own_only(
    strava_runtime: Runtime,
) -> None:
    """What a row stored before the evidence was kept in every language holds: its one text,
    shown to a reader of its language, and the note to a reader of another."""
    rt = strava_runtime
    seed_history(rt, days=3)
    connect(rt, ATHLETE)
    across_resets(lambda: history.refresh(rt, ATHLETE))
    with rt.db.session() as session:
        old = session.scalars(select(Activity).where(Activity.athlete_id == ATHLETE)).first()
        assert old is not None
        old.evidence_texts = None
        old_id, english = old.id, old.evidence
    with TestClient(create_app(rt), base_url=rt.settings.public_url) as client:
        sign_in(rt, client, ATHLETE)
        assert english in evidence_on(client.get("/me").text)
        assert f'<p id="evidence">{html.escape(english)}</p>' in client.get(
            f"/me/activities/{old_id}").text
        switch_to(rt, client, "fr")
        assert english not in evidence_on(client.get("/me").text)
        page = client.get(f"/me/activities/{old_id}").text
    assert english not in html.unescape(page)
    assert note("fr") in html.unescape(page) and note("fr") != ELSEWHERE


def columns(rt: Runtime) -> set[str]:
    return {c["name"] for c in inspect(rt.db.engine).get_columns("activities")}


def test_the_migration_goes_down_keeping_the_activities_and_up_again_to_rows_from_before(
    tmp_path: Path, database_url: str, redis_url: str,
) -> None:
    rt = Runtime(make_settings(tmp_path, database_url, redis_url))
    try:
        upgrade(rt.db.engine)
        profile = build_profile([])
        analyses = [engine.analyse(r, profile, STORED * 100 + i, voice("es"), languages())
                    for i, r in enumerate(recordings())]
        store(rt, analyses)
        with rt.db.read() as session:
            spanish = {row.id: row.evidence_in("es") for row in session.scalars(select(Activity))}
            german = {row.id: row.evidence_in("de") for row in session.scalars(select(Activity))}
        assert spanish == {a.record.activity_id: a.classification.evidence for a in analyses}
        assert german == {a.record.activity_id: a.evidence["de"] for a in analyses}
        downgrade(rt.db.engine, "0015")
        assert "evidence_texts" not in columns(rt)
        upgrade(rt.db.engine)
        assert "evidence_texts" in columns(rt)
        with rt.db.read() as session:
            kept = list(session.scalars(select(Activity)))
            assert {row.id: row.evidence_in("es") for row in kept} == spanish
            assert all(row.evidence_texts is None and row.evidence_in("de") == "" for row in kept)
    finally:
        rt.db.dispose()
