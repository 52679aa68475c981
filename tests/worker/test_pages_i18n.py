"""Every word the pages show goes through the catalogue: rendered with a translator that marks
what it translates, no unmarked text is left but the athlete's data, numbers and brand names."""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.support.pages import A, add_athlete, csrf_of, settings_form, sign_in
from worker import i18n
from worker.models import Activity, utcnow
from worker.runtime import Runtime
from worker.web import create_app
from worker.web.pages import environment, listed_day, moment, week_day

#: Words that are names, not prose: the product, Strava's button (its brand guidelines fix the
#: wording), and each language's name in itself.
NAMES = ("Connect with Strava", "Stridewise", *i18n.LANGUAGES.values())
#: What is left of a text once translations, data and names are taken out: figures only.
FIGURES = re.compile(r"[\d\s\-.,:;·()/%+x“”]*")


class Marked(gettext.NullTranslations):
    """Wraps every message it translates in ⟦ ⟧."""

    def gettext(self, message: str) -> str:
        return f"⟦{message}⟧"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"⟦{singular if n == 1 else plural}⟧"


class Texts(HTMLParser):
    """The text a reader sees or hears: text nodes and the labels of attributes, outside the
    example block (a sample of the block, whose language is its own)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self.skip += 1
        self.texts.extend(v or "" for k, v in attrs if k in ("aria-label", "title", "alt"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip and data.strip():
            self.texts.append(data)


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(i18n, "translator", lambda language: Marked())
    environment.cache_clear()
    yield
    environment.cache_clear()


def unmarked(page: str, data: list[str]) -> list[str]:
    parser = Texts()
    parser.feed(page)
    left = []
    for text in parser.texts:
        rest, before = text, ""
        while rest != before:  # innermost first: a translated sentence may hold translated words
            before, rest = rest, re.sub(r"⟦[^⟦⟧]*⟧", "", rest)
        for known in sorted([*data, *NAMES], key=len, reverse=True):
            rest = rest.replace(known, "")
        if not FIGURES.fullmatch(rest):
            left.append(text.strip())
    return left


def test_every_word_of_every_page_is_translated(runtime: Runtime, marked: None) -> None:
    rt = runtime
    add_athlete(rt, A, 1000)
    with rt.db.session() as session:
        rows = session.scalars(select(Activity).where(Activity.athlete_id == A)).all()
        data = [t for r in rows for t in (r.sport, r.evidence)] + ["km", "min", " m", "h"]
        # Dates as Babel writes them in the reader's language (locale data, not catalogue)
        data += [d for r in rows for d in (
            listed_day("en", r.start_date.date()), moment("en", r.fetched_at),
            week_day("en", r.start_date.date() - timedelta(days=r.start_date.weekday())))]
        # The week the charts draw up to, which has no activity early on a Monday.
        today = utcnow().date()
        data.append(week_day("en", today - timedelta(days=today.weekday())))
    with TestClient(create_app(rt), base_url=rt.settings.public_url) as client:
        assert unmarked(client.get("/").text, data) == []
        csrf = sign_in(rt, client, A)
        for path in ("/", "/privacy", "/me", "/me/settings", "/me/delete",
                     f"/me/activities/{rows[0].id}", "/no/such/page"):
            page = client.get(path, headers={"accept": "text/html"})
            assert page.status_code == (404 if path == "/no/such/page" else 200)
            assert unmarked(page.text, data) == [], path
        refused = client.post("/me/settings", data=settings_form(csrf, units="furlongs"))
        assert refused.status_code == 400
        assert unmarked(refused.text, [*data, "units"]) == []
        saved = client.post("/me/settings", data=settings_form(csrf_of(
            client.get("/me/settings").text), units="imperial"))
        assert unmarked(saved.text, data) == []
        assert unmarked(client.post("/logout", data={"csrf": "no"}).text, data) == []
    # What the page after a deletion says (deleting here would call Strava).
    deleted = environment("en").get_template("deleted.html").render(language="en")
    assert unmarked(deleted, data) == []
