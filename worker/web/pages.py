"""The athlete's side: the front page, their own page, their settings, deleting their data.

Pages are rendered on the server with Jinja2 in the athlete's language (the front page in the
browser's), need no script, and load nothing from another host. Everything behind ``/me`` is
the signed-in athlete's own and nobody else's: the athlete comes from the session alone
(worker.web.session), never from the request, and every form carries the session's CSRF token.
"""

from __future__ import annotations

import gettext
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache, partial
from http import HTTPStatus
from pathlib import Path
from typing import Any, cast

from babel.dates import format_skeleton, format_time
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from analysis.description import OPT_OUT_TAG
from analysis.feedback import render_block
from analysis.model import Classification, SessionRecord, Workout, is_run
from analysis.training import (
    MUSCLES_BY_WORKOUT,
    Past,
    TrainingSummary,
    summarize,
)
from analysis.voice import SECTIONS, UNITS, Voice
from worker import i18n, leaving, preferences
from worker.cache import record_of
from worker.forget import forget_athlete
from worker.labels import UnknownLabel
from worker.labels import parse as parse_label
from worker.models import Activity, Athlete, utcnow
from worker.preferences import Preferences
from worker.runtime import Runtime
from worker.web import charts
from worker.web.charts import N_
from worker.web.intake import InboxWriter
from worker.web.language import negotiate, remember, visitor_language
from worker.web.rereads import Rereads
from worker.web.session import (
    SESSION_COOKIE,
    Sessions,
    SignedIn,
    clear_cookie,
    csrf_matches,
    id_hash,
)

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
#: Activities listed on one page of /me, newest first (two links each to tab past).
PAGE_SIZE = 10
#: The front page's example blocks, one per language (``make examples`` writes them).
EXAMPLES = Path(__file__).parent / "examples"
#: Answers no page may be framed, sniffed or fed from another host.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
#: How each block section reads on the settings page.
SECTION_NAMES = {
    "variety": N_("Variety: the mix of your runs and what is missing"),
    "recovery": N_("Recovery: hard days in a row, rest days"),
    "load": N_("Load: the last 7 days against your average week"),
    "strength": N_("Strength: sessions this week against 2-3"),
    "consistency": N_("Consistency: runs and distance per week"),
    "progress": N_("Progress: distance and easy speed per heartbeat"),
    "refuel": N_("Refuel: protein and carbohydrate after the session"),
}
MUSCLE_NAMES = {"quads": N_("quads"), "glutes": N_("glutes"), "hamstrings": N_("hamstrings"),
                "calves": N_("calves")}
#: What works a neglected group (docs/DESIGN.md): quads and glutes hills, hamstrings and
#: calves sprints.
NEGLECT_REMEDIES = (Workout.HILLS, Workout.SPRINTS)
#: How long after connecting /me reloads itself while the history is read: with the quota
#: free it takes seconds; a busy quota may hold it for minutes, and past this the athlete is
#: told to come back instead of watching a page reload.
REFRESH_WHILE_READING = timedelta(minutes=30)
#: Seconds between those reloads.
REFRESH_EVERY_S = 5
#: Steady running: endurance for every muscle group, none in particular.
STEADY = (Workout.EASY, Workout.LONG, Workout.RECOVERY)


class FormError(ValueError):
    """A settings form field that is missing or not one of its choices; args[0] is its name."""


@cache
def environment(language: str) -> Environment:
    """The templates with ``language``'s catalogue installed (one environment per language,
    so concurrent requests in different languages never share a translator)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    cast(Any, env).install_gettext_translations(i18n.translator(language), newstyle=True)
    return env


def parse_settings(form: FormData) -> Preferences:
    """The preferences a settings form posts.

    Raises:
        FormError: a field is missing, repeated, or not one of its choices.
    """
    for name in ("feedback", "numbers"):
        if any(value != "on" for value in form.getlist(name)):
            raise FormError(name)
    sections = form.getlist("section")
    if any(s not in SECTIONS for s in sections) or len(set(sections)) != len(sections):
        raise FormError("section")
    units, language = form.getlist("units"), form.getlist("language")
    if len(units) != 1 or units[0] not in UNITS:
        raise FormError("units")
    if len(language) != 1 or language[0] not in i18n.LANGUAGES:
        raise FormError("language")
    return Preferences(feedback_on="feedback" in form, language=str(language[0]),
                       units=str(units[0]), public_numbers="numbers" in form,
                       sections=frozenset(str(s) for s in sections))


@dataclass(frozen=True)
class Listed:
    """One activity as the athlete's page lists it."""

    id: int
    day: str
    sport: str
    workout: str
    evidence: str
    distance: str
    duration: str


@dataclass(frozen=True)
class MyWeeks:
    """What the athlete's page shows, read and computed in one go."""

    language: str
    activities: list[Listed]
    charts: list[charts.Chart]
    recovery: str | None
    muscles: list[str]
    needs_reconnect: bool = False  # Strava refused our access: no block until they connect
    page: int = 1  # which page of the list: activities[0] is the page's first
    pages: int = 1
    reading: bool = False  # their history is being read from Strava (just connected)
    refresh: bool = False  # and the page reloads itself until it is in


@dataclass(frozen=True)
class OneActivity:
    """What the page of one activity shows: its label, evidence, figures and block."""

    id: int
    language: str
    title: str
    workout: str
    workout_value: str
    chosen: bool  # the athlete corrected the label
    evidence: str
    facts: list[tuple[str, str]]
    block: str | None
    written: str | None  # when the block was written, ISO date and time (UTC)


class PageEndpoints:
    """``/``, ``/privacy``, ``/me``, ``/me/settings``, ``/me/delete``, ``/logout`` and the
    stylesheet."""

    def __init__(self, rt: Runtime, inbox: InboxWriter) -> None:
        self.rt = rt
        self.rereads = Rereads(rt, inbox)
        self.sessions = Sessions(rt.db)
        self.secure = rt.settings.public_url.startswith("https://")

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/", self.home, methods=["GET"]),
            Route("/privacy", self.privacy, methods=["GET"]),
            Route("/me", self.me, methods=["GET"]),
            Route("/me/activities/{activity_id:int}", self.activity, methods=["GET"]),
            Route("/me/activities/{activity_id:int}/label", self.label, methods=["POST"]),
            Route("/me/settings", self.settings, methods=["GET", "POST"]),
            Route("/me/delete", self.delete, methods=["GET", "POST"]),
            Route("/logout", self.logout, methods=["POST"]),
            Route("/favicon.ico", self.favicon, methods=["GET"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]

    # -- pages ----------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        signed_in = await self._signed_in(request)
        chosen = request.query_params.get("lang")
        if signed_in is None and chosen in i18n.LANGUAGES:
            language = str(chosen)
        else:
            language = await self._language(request, signed_in)
        response = self._render(language, "home.html", signed_in=signed_in,
                                example=example_block(_spoken(language)),
                                cache_days=_days(self.rt.settings.cache_days),
                                operator=self.rt.settings.operator,
                                languages=i18n.LANGUAGES)
        if language == chosen:
            remember(response, language, self.secure)
        return response

    async def privacy(self, request: Request) -> Response:
        signed_in = await self._signed_in(request)
        language = await self._language(request, signed_in)
        return self._render(language, "privacy.html", signed_in=signed_in,
                            cache_days=_days(self.rt.settings.cache_days),
                            operator=self.rt.settings.operator)

    async def me(self, request: Request) -> Response:
        signed_in = await self._signed_in(request)
        if signed_in is None:
            return RedirectResponse("/", 303)
        try:
            page = int(request.query_params.get("page", "1"))
        except ValueError:
            page = 0
        if page < 1:
            return self._render(await self._language(request, signed_in), "error.html",
                                status=400, signed_in=signed_in, problem="page")
        mine = await run_in_threadpool(self._my_weeks, signed_in.athlete_id, page)
        if mine is None:
            return RedirectResponse("/", 303)
        if page > mine.pages:
            return await self._not_found(request, signed_in)
        # ?still=1: the reader turned the reload off (WCAG 2.2.1: a time limit the user can
        # turn off); the notice links back to the page that reloads itself.
        return self._render(mine.language, "me.html", signed_in=signed_in, mine=mine,
                            cache_days=_days(self.rt.settings.cache_days),
                            refresh_s=REFRESH_EVERY_S, page_size=PAGE_SIZE,
                            still=request.query_params.get("still") == "1")

    async def activity(self, request: Request) -> Response:
        signed_in = await self._signed_in(request)
        if signed_in is None:
            return RedirectResponse("/", 303)
        shown = await run_in_threadpool(self._one_activity, signed_in.athlete_id,
                                        int(request.path_params["activity_id"]))
        if shown is None:
            return await self._not_found(request, signed_in)
        return self._render(shown.language, "activity.html", signed_in=signed_in, one=shown,
                            labels=[(w.value, charts.WORKOUT_NAMES[w]) for w in Workout],
                            saved=request.query_params.get("saved"),
                            cache_days=_days(self.rt.settings.cache_days))

    async def label(self, request: Request) -> Response:
        signed_in = await self._signed_in(request)
        if signed_in is None:
            return self._refused(request)
        language = await self._language(request, signed_in)
        form = await request.form()
        if not csrf_matches(signed_in, _field(form, "csrf")):
            return self._refused(request, language)
        activity_id = int(request.path_params["activity_id"])
        try:
            label = parse_label(_field(form, "label") or "")
        except UnknownLabel as error:
            return self._render(language, "error.html", status=400, signed_in=signed_in,
                                problem="label", detail=str(error), activity_id=activity_id)
        held = await run_in_threadpool(self._chosen, signed_in.athlete_id, activity_id)
        if held is None:
            return await self._not_found(request, signed_in)
        if held == label.value:  # their word already stands: nothing to read again
            return RedirectResponse(f"/me/activities/{activity_id}?saved=label", 303)
        busy = self._busy(signed_in, language)
        if busy is not None:
            return busy
        await run_in_threadpool(self._choose, signed_in.athlete_id, activity_id, label)
        await self.rereads.ask(signed_in.athlete_id, activity_id, "label")
        return RedirectResponse(f"/me/activities/{activity_id}?saved=label", 303)

    async def settings(self, request: Request) -> Response:
        signed_in = await self._signed_in(request)
        if signed_in is None:
            if request.method == "GET":
                return RedirectResponse("/", 303)
            return self._refused(request)
        if request.method == "POST":
            return await self._save_settings(request, signed_in)
        current = await run_in_threadpool(self._preferences, signed_in.athlete_id)
        if current is None:
            return RedirectResponse("/", 303)
        preview = await run_in_threadpool(self._preview, signed_in.athlete_id, current)
        return self._render(current.language, "settings.html", signed_in=signed_in,
                            prefs=current, saved=request.query_params.get("saved"),
                            preview=preview, **self._choices())

    async def delete(self, request: Request) -> Response:
        """The confirmation, with the choice to remove the blocks first; while they are
        removed, what is done so far (the page reloads itself); once the athlete is deleted,
        what was done (kept a while under their session's hash, worker.leaving)."""
        signed_in = await self._signed_in(request)
        if signed_in is None:
            if request.method == "GET":
                return await self._left(request)
            return self._refused(request)
        language = await self._language(request, signed_in)
        if request.method == "GET":
            doing = await run_in_threadpool(leaving.progress, self.rt, signed_in.athlete_id)
            if doing is not None:
                return self._render(language, "leaving.html", signed_in=signed_in,
                                    doing=doing, back_to=listed_day(language, doing.back_to.date())
                                    if doing.back_to else None)
            known = await run_in_threadpool(leaving.known_blocks, self.rt,
                                            signed_in.athlete_id)
            return self._render(language, "delete.html", signed_in=signed_in, known=known,
                                months=leaving.BACK_MONTHS)
        form = await request.form()
        if not csrf_matches(signed_in, _field(form, "csrf")):
            return self._refused(request, language)
        blocks = _field(form, "blocks") or "keep"
        if blocks == "keep":
            await run_in_threadpool(forget_athlete, self.rt, signed_in.athlete_id, True)
            response = self._render(language, "deleted.html", signed_in=None, done=None)
            clear_cookie(response, self.secure)
            return response
        if blocks == "cache":
            since = None
        elif blocks.isdigit() and int(blocks) in leaving.BACK_MONTHS:
            since = leaving.months_back(int(blocks), utcnow())
        else:
            return self._render(language, "error.html", status=400, signed_in=signed_in,
                                problem="field", field="blocks")
        await run_in_threadpool(leaving.start, self.rt, signed_in.athlete_id, since)
        return RedirectResponse("/me/delete", 303)

    async def _left(self, request: Request) -> Response:
        """What the removal did for a session it ended, else the front page."""
        cookie = request.cookies.get(SESSION_COOKIE)
        done = await run_in_threadpool(leaving.left, self.rt, id_hash(cookie)) if cookie \
            else None
        if done is None:
            return RedirectResponse("/", 303)
        response = self._render(done.language, "deleted.html", signed_in=None, done=done)
        clear_cookie(response, self.secure)
        return response

    async def logout(self, request: Request) -> Response:
        signed_in = await self._signed_in(request)
        if signed_in is None:
            return self._refused(request)
        form = await request.form()
        if not csrf_matches(signed_in, _field(form, "csrf")):
            return self._refused(request)
        await run_in_threadpool(self.sessions.end, request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/", 303)
        clear_cookie(response, self.secure)
        return response

    async def favicon(self, request: Request) -> Response:
        """The icon browsers ask for on every page: drawn here, as SVG."""
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml",
                            headers={"Cache-Control": "public, max-age=86400"})

    async def http_error(self, request: Request, error: Exception) -> Response:
        """404 and 405 in the site's layout and the reader's language for a browser; the bare
        status line for anything else (a webhook posted to the wrong path, say)."""
        status = error.status_code if isinstance(error, HTTPException) else 500
        if "text/html" not in request.headers.get("accept", ""):
            return PlainTextResponse(HTTPStatus(status).phrase, status_code=status)
        signed_in = await self._signed_in(request)
        language = await self._language(request, signed_in)
        problem = "not_found" if status == 404 else "method"
        return self._render(language, "error.html", status=status, signed_in=signed_in,
                            problem=problem)

    # -- steps ----------------------------------------------------------------------------------

    async def _save_settings(self, request: Request, signed_in: SignedIn) -> Response:
        form = await request.form()
        current = await run_in_threadpool(self._preferences, signed_in.athlete_id)
        language = current.language if current else negotiate("")
        if not csrf_matches(signed_in, _field(form, "csrf")):
            return self._refused(request, language)
        try:
            wanted = parse_settings(form)
        except FormError as error:
            return self._render(language, "error.html", status=400, signed_in=signed_in,
                                problem="field", field=error.args[0])
        if _field(form, "action") == "preview":  # shown, not saved
            preview = await run_in_threadpool(self._preview, signed_in.athlete_id, wanted)
            return self._render(wanted.language, "settings.html", signed_in=signed_in,
                                prefs=wanted, saved=None, preview=preview, previewing=True,
                                **self._choices())
        if current is not None and wanted == current:  # stored (units now chosen), no block
            await run_in_threadpool(self._store, signed_in.athlete_id, wanted)
            return RedirectResponse("/me/settings?saved=1", 303)
        busy = self._busy(signed_in, language)
        if busy is not None:
            return busy
        latest = await run_in_threadpool(self._store, signed_in.athlete_id, wanted)
        if not wanted.feedback_on:
            return RedirectResponse("/me/settings?saved=off", 303)  # nothing to write
        if latest is not None:
            await self.rereads.ask(signed_in.athlete_id, latest, "settings")
            return RedirectResponse("/me/settings?saved=block", 303)
        return RedirectResponse("/me/settings?saved=1", 303)

    def _busy(self, signed_in: SignedIn, language: str) -> Response | None:
        """429 once the athlete has used up their saves for now; None: go ahead."""
        wait = self.rereads.wait(signed_in.athlete_id)
        if wait <= 0:
            return None
        seconds = math.ceil(wait)
        response = self._render(language, "error.html", status=429, signed_in=signed_in,
                                problem="busy", seconds=seconds)
        response.headers["Retry-After"] = str(seconds)
        return response

    def _store(self, athlete_id: int, wanted: Preferences) -> int | None:
        """Save the athlete's choices; returns their latest cached activity, None if none."""
        with self.rt.db.session() as session:
            if not preferences.save(session, athlete_id, wanted):
                return None
            return session.scalar(select(Activity.id).where(Activity.athlete_id == athlete_id)
                                  .order_by(Activity.start_date.desc()).limit(1))

    def _chosen(self, athlete_id: int, activity_id: int) -> str | None:
        """The label the athlete chose for their activity, "" if none; None if it is not
        theirs (or not held)."""
        with self.rt.db.session() as session:
            row = _mine(session, athlete_id, activity_id)
            return None if row is None else row.workout_chosen or ""

    def _choose(self, athlete_id: int, activity_id: int, label: Workout) -> None:
        """Keep the athlete's label on the row, and show it at once: the worker's re-read
        then analyses the activity with it (whether the day was hard, the block)."""
        with self.rt.db.session() as session:
            row = _mine(session, athlete_id, activity_id)
            if row is not None:
                row.workout_chosen = row.workout = label.value

    def _one_activity(self, athlete_id: int, activity_id: int) -> OneActivity | None:
        with self.rt.db.session() as session:
            athlete = session.get(Athlete, athlete_id)
            row = _mine(session, athlete_id, activity_id)
            if athlete is None or row is None:
                return None
            voice = preferences.of(athlete).voice()
            return _one(row, voice)

    def _preview(self, athlete_id: int, prefs: Preferences) -> str | None:
        """The block of the athlete's latest cached activity as ``prefs`` would write it, from
        the figures the cache holds (the block written reads the activity again, in detail);
        None when nothing is cached."""
        with self.rt.db.session() as session:
            athlete = session.get(Athlete, athlete_id)
            rows = session.scalars(select(Activity).where(Activity.athlete_id == athlete_id)
                                   .order_by(Activity.start_date.desc())).all()
            if athlete is None or not rows:
                return None
            since, latest = athlete.history_since, rows[0]
            records = [record_of(row) for row in rows]
            said = Classification(Workout(latest.workout), latest.confidence,
                                  latest.evidence_in(prefs.language))
        ended = records[0].start + timedelta(seconds=records[0].moving_s)
        return render_block(said, records[0], _summary(records, since, ended), prefs.voice())

    def _preferences(self, athlete_id: int) -> Preferences | None:
        with self.rt.db.session() as session:
            return preferences.load(session, athlete_id)

    def _my_weeks(self, athlete_id: int, page: int = 1) -> MyWeeks | None:
        """The athlete's cached activities, their charts and what the analysis says of them."""
        with self.rt.db.session() as session:
            athlete = session.get(Athlete, athlete_id)
            if athlete is None:
                return None
            prefs, since = preferences.of(athlete), athlete.history_since
            refused = athlete.status == "needs_reauth"
            reading = not refused and athlete.history_read_at is None
            refresh = reading and utcnow() - athlete.connected_at < REFRESH_WHILE_READING
            rows = session.scalars(select(Activity).where(Activity.athlete_id == athlete_id)
                                   .order_by(Activity.start_date.desc())).all()
            records = [record_of(row) for row in rows]
        voice = prefs.voice()
        _ = voice.gettext
        offsets = {row.id: _offset(row) for row in rows}
        # The athlete's now: in the zone of their latest activity, as the block judges it.
        now = utcnow().astimezone(timezone(offsets[rows[0].id])) if rows else utcnow()
        pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
        listed = [_listed(row, voice)
                  for row in rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]]
        if not records:
            return MyWeeks(prefs.language, listed, [], None, [], refused, page, pages, reading,
                           refresh)
        summary = _summary(records, since, now)
        weeks = charts.weeks_of(records, now.date(), offsets)
        day = partial(week_day, voice.language)
        drawn = [charts.mix_chart(weeks, _, day),
                 charts.distance_chart(weeks, _, voice.imperial, voice.number, day),
                 charts.load_chart(summary.recovery, _, voice.number),
                 charts.strength_chart(weeks, _, day), charts.runs_chart(weeks, _, day)]
        return MyWeeks(prefs.language, listed, drawn,
                       recovery_sentence(summary, voice),
                       muscle_sentences(summary, _), refused, page, pages, reading, refresh)

    # -- helpers --------------------------------------------------------------------------------

    async def _signed_in(self, request: Request) -> SignedIn | None:
        return await run_in_threadpool(self.sessions.current,
                                       request.cookies.get(SESSION_COOKIE))

    async def _language(self, request: Request, signed_in: SignedIn | None) -> str:
        if signed_in is not None:
            current = await run_in_threadpool(self._preferences, signed_in.athlete_id)
            if current is not None:
                return current.language
        return visitor_language(request)

    async def _not_found(self, request: Request, signed_in: SignedIn | None) -> Response:
        language = await self._language(request, signed_in)
        return self._render(language, "error.html", status=404, signed_in=signed_in,
                            problem="not_found")

    def _refused(self, request: Request, language: str | None = None) -> Response:
        """401: no session, or a form whose token is not the session's; nothing was done."""
        language = language or visitor_language(request)
        return self._render(language, "error.html", status=401, signed_in=None,
                            problem="session")

    def _choices(self) -> dict[str, Any]:
        return {"sections": [(s, SECTION_NAMES[s]) for s in SECTIONS], "units": UNITS,
                "languages": i18n.LANGUAGES, "opt_out_tag": OPT_OUT_TAG}

    def _render(self, language: str, name: str, status: int = 200,
                **context: Any) -> HTMLResponse:
        return render(language, name, status, **context)


def render(language: str, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The template ``name`` in ``language``, with the site's headers."""
    html = environment(language).get_template(name).render(
        language=_spoken(language), **context)
    response = HTMLResponse(html, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    response.headers["Vary"] = "Accept-Language, Cookie"  # whose page, in which language
    if context.get("signed_in") is not None:
        response.headers["Cache-Control"] = "no-store"  # the athlete's own, on no proxy
    return response


@cache
def example_block(language: str) -> str:
    """The README's run as the analysis writes its block in ``language``."""
    return (EXAMPLES / f"{language}.txt").read_text(encoding="utf-8").rstrip("\n")


def recovery_sentence(summary: TrainingSummary, voice: Voice) -> str:
    """The recovery status in one sentence: the most urgent warning, or that all is well."""
    _, ngettext, r = voice.gettext, voice.ngettext, summary.recovery
    if not summary.history_known or summary.known_days < 7:
        return _("Not enough days on record yet to judge your recovery.")
    warnings = r.warnings
    if "return" in warnings and r.days_off is not None:
        return ngettext("You are back after %(n)d day off: build up with easy runs.",
                        "You are back after %(n)d days off: build up with easy runs.",
                        r.days_off) % {"n": r.days_off}
    if "streak" in warnings:
        return ngettext("%(n)d hard day in a row: an easy run or rest next.",
                        "%(n)d hard days in a row: an easy run or rest next.",
                        r.hard_streak) % {"n": r.hard_streak}
    if "load" in warnings and r.acwr is not None:
        return _("Your last 7 days carry %(ratio)s times the load of your average week: "
                 "an easy run or rest next.") % {"ratio": voice.number(r.acwr)}
    if "run_jump" in warnings and r.run_change is not None:
        return _("You ran %(percent)d %% more than in your average week: an easy run or rest "
                 "next.") % {"percent": round(100 * r.run_change)}
    if "monotony" in warnings and r.monotony is not None:
        return _("Your days have been too alike (monotony %(value)s): vary hard and easy "
                 "days.") % {"value": voice.number(r.monotony)}
    rest = r.rest_days_7d or 0
    return ngettext("Recovered: %(n)d rest day in the last 7, and no sign of overload.",
                    "Recovered: %(n)d rest days in the last 7, and no sign of overload.",
                    rest) % {"n": rest}


def muscle_sentences(summary: TrainingSummary, _: Callable[[str], str]) -> list[str]:
    """Which leg muscles the recent mix worked and which it neglected, and what works them."""
    v = summary.variety
    if v is None:
        return [_("Not enough days on record yet to say which muscles your mix has worked.")]
    said = []
    names = [_(MUSCLE_NAMES[m]) for m in v.muscles_loaded]
    if names:
        said.append(_("Worked in the last %(days)d days: %(muscles)s.")
                    % {"days": summary.variety_days, "muscles": ", ".join(names)})
    for workout in NEGLECT_REMEDIES:
        neglected = [m for m in MUSCLES_BY_WORKOUT[workout] if m in v.muscles_neglected]
        if neglected:
            said.append(_("Neglected: %(muscles)s; %(workout)s work them.") % {
                "muscles": ", ".join(_(MUSCLE_NAMES[m]) for m in neglected),
                "workout": _(charts.WORKOUT_NAMES[workout])})
    if any(workout in STEADY for workout, _count in v.run_counts):
        said.append(_("Your steady runs built endurance in all of them."))
    return said


def _summary(records: list[SessionRecord], since: datetime | None,
             now: datetime) -> TrainingSummary:
    """The analysis of the athlete's weeks as of now, the latest activity as the current one,
    known since the history's start (else since the oldest cached activity)."""
    latest, earlier = records[0], records[1:]
    past = Past.of(earlier, since) if since is not None or earlier else None
    return summarize(latest, past, now)


def _mine(session: Session, athlete_id: int, activity_id: int) -> Activity | None:
    """The athlete's activity; None when it is unknown or someone else's (alike, so that the
    answer does not tell which)."""
    row = session.get(Activity, activity_id)
    return row if row is not None and row.athlete_id == athlete_id else None


def _one(row: Activity, voice: Voice) -> OneActivity:
    _ = voice.gettext
    facts = [(_("Sport"), voice.sport(row.sport))]
    if row.distance_m:
        facts.append((_("Distance"), voice.distance(row.distance_m)))
    facts.append((_("Moving time"), charts.clock(row.moving_s)))
    if row.distance_m and row.moving_s and is_run(row.sport):
        facts.append((_("Average pace"), voice.pace(row.distance_m / row.moving_s)))
    if row.avg_hr:
        facts.append((_("Average heart rate"), f"{round(row.avg_hr)} bpm"))
    if row.max_hr:
        facts.append((_("Highest heart rate"), f"{round(row.max_hr)} bpm"))
    if row.ascent_m:
        facts.append((_("Climb"), voice.elevation(row.ascent_m)))
    facts += [
        (_("Load (TRIMP)"), str(round(row.load))),
        (_("Recovery"), _("a hard day: easy or rest next") if row.hard else _("an easy day")),
        (_("How sure"), "100 %" if row.workout_chosen else f"{round(100 * row.confidence)} %"),
        (_("Read from"), _("the recordings, second by second") if row.used_streams
         else _("the summary, laps and splits")),
        (_("Read from Strava"), moment(voice.language, row.fetched_at)),
    ]
    workout = _(charts.WORKOUT_NAMES.get(row.workout, row.workout))
    return OneActivity(
        id=row.id, language=voice.language,
        title=_("%(sport)s on %(day)s") % {"sport": voice.sport(row.sport),
                                           "day": listed_day(voice.language,
                                                             local_day(row))},
        workout=workout, workout_value=row.workout, chosen=row.workout_chosen is not None,
        evidence=row.evidence_in(voice.language),
        facts=facts, block=row.block,
        written=moment(voice.language, row.block_written_at) if row.block_written_at else None)


def _offset(row: Activity) -> timedelta:
    """The athlete's local time minus UTC at the activity; 0 when Strava did not say."""
    return timedelta(seconds=row.utc_offset_s or 0)


def local_day(row: Activity) -> date:
    """The athlete's calendar day of the activity (Strava's start_date_local)."""
    return (row.start_date + _offset(row)).date()


def _listed(row: Activity, voice: Voice) -> Listed:
    return Listed(id=row.id, day=listed_day(voice.language, local_day(row)),
                  sport=voice.sport(row.sport),
                  workout=voice.gettext(charts.WORKOUT_NAMES.get(row.workout, row.workout)),
                  # In the reader's language, written at the analysis; a row analysed before
                  # every language was kept has it in one (shown again once read again).
                  evidence=row.evidence_in(voice.language),
                  distance=voice.distance(row.distance_m) if row.distance_m else "",
                  duration=charts.clock(row.moving_s))


def week_day(language: str, day: date) -> str:
    """A week's Monday as the reader's language writes a short date: Nov 30, 30. Nov."""
    return format_skeleton("MMMd", day, locale=language)


def listed_day(language: str, day: date) -> str:
    """An activity's day as the reader's language writes it: Mon, Nov 30, 2026 or
    Mo., 30. Nov. 2026."""
    return format_skeleton("yMMMEd", day, locale=language)


def moment(language: str, when: datetime) -> str:
    """A time of ours (a read, a write) as the reader's language writes it, in UTC."""
    return (format_skeleton("yMMMd", when, tzinfo=UTC, locale=language) + ", "
            + format_time(when, "HH:mm", tzinfo=UTC, locale=language) + " UTC")


def _spoken(language: str) -> str:
    """The language a page is written in: ``language`` once it has a catalogue, else English
    (so that ``<html lang>`` tells a screen reader the truth)."""
    if language == "en" or isinstance(i18n.translator(language), gettext.GNUTranslations):
        return language
    return "en"


def _field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _days(days: float) -> str:
    """STRAVA_CACHE_DAYS as a person reads it: 7, or 0.5."""
    return f"{days:g}"
