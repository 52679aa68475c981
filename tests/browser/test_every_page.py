"""Every page, error pages included, in English and German, on a phone (390 px) and a desktop
(1280 px): a screenshot of each in var/screenshots, and no serious or critical violation axe-core
finds. Then the OAuth refusals as a browser meets them, and leaving with the blocks removed.

One stack and one browser serve the module, in file order, on real sandbox, web and worker
processes; the last test deletes the athlete.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from sqlalchemy import select, update

from analysis.description import find_block, remove
from tests.browser.axe import require_axe, violations
from tests.browser.chromium import ATHLETE, PAGE_TIMEOUT_S, require_chromium, wait_until
from tests.reliability.harness import LiveStack
from tests.support import http
from tests.support.browsing import (
    BACKFILL_TIMEOUT_S,
    BLOCK_TIMEOUT_S,
    backfilled,
    open_page,
    path_of,
    sandbox_activities,
    upload_and_wait,
    wait_for_path,
)
from worker.models import Activity, Athlete
from worker.web.language import LANGUAGE_COOKIE
from worker.web.oauth import STATE_COOKIE
from worker.web.ratelimit import OAUTH_REFILL_S

require_chromium()
require_axe()

pytestmark = pytest.mark.e2e

#: The widths every page is checked at: a phone, a desktop.
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
#: English, and one other language.
LANGUAGES = ("en", "de")
#: How long the removal of the blocks has, and the athlete's deletion after it.
LEAVING_TIMEOUT_S = 90.0
#: How long the sandbox takes to answer each request while the removal is watched.
READ_SLOWLY_S = 4.0


@contextmanager
def width(browser: webdriver.Chrome, name: str) -> Iterator[None]:
    wide, high = WIDTHS[name]
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": wide, "height": high, "deviceScaleFactor": 1, "mobile": name == "phone"})
    try:
        yield
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def speak(browser: webdriver.Chrome, stack: LiveStack, language: str) -> None:
    """The athlete's language and the visitor's cookie both ``language``."""
    with stack.db.session() as session:
        session.execute(update(Athlete).where(Athlete.id == ATHLETE).values(language=language))
    open_page(browser, stack, "/favicon.ico")
    browser.add_cookie({"name": LANGUAGE_COOKIE, "value": language, "path": "/"})


def refusal(browser: webdriver.Chrome, stack: LiveStack, how: str) -> None:
    """Open the callback page Strava sends the browser to when the athlete refuses (``how``:
    sandbox_deny=1, or sandbox_deny_scope=...), with the state of a real /connect. The connect
    and the callback each use one of this address's sign-ins (OAUTH_REFILL_S apart once the
    burst is spent): a 429 at either is waited out and the refusal made again."""
    client = http.client(base_url=stack.settings.public_url)
    for _ in range(4):
        to_strava = client.get("/connect", follow_redirects=False)
        if to_strava.status_code == 429:
            time.sleep(float(to_strava.headers["retry-after"]))
            continue
        assert to_strava.status_code == 302, to_strava.text
        state = parse_qs(urlsplit(to_strava.headers["location"]).query)["state"][0]
        open_page(browser, stack, "/favicon.ico")
        browser.add_cookie({"name": STATE_COOKIE, "value": state, "path": "/auth"})
        browser.get(to_strava.headers["location"] + "&" + how)
        wait_for_path(browser, "/auth/callback")
        if "Too many sign-in attempts" not in browser.find_element(By.TAG_NAME, "body").text:
            return
        time.sleep(2 * OAUTH_REFILL_S)
    raise AssertionError("the sign-ins of this address stayed used up")


def pages(stack: LiveStack) -> dict[str, Callable[[webdriver.Chrome], None]]:
    """Each page by name, and how the browser gets to it."""
    with stack.db.session() as session:
        activity_id = session.scalars(select(Activity.id).where(
            Activity.athlete_id == ATHLETE).limit(1)).first()
    assert activity_id is not None, "no cached activity to show"

    def at(path: str) -> Callable[[webdriver.Chrome], None]:
        return lambda browser: open_page(browser, stack, path)

    return {
        "front": at("/"), "privacy": at("/privacy"), "me": at("/me"),
        "settings": at("/me/settings"), "delete": at("/me/delete"),
        "activity": at(f"/me/activities/{activity_id}"),
        "not-found": at("/no/such/page"), "wrong-method": at("/logout"),
        "refused": lambda browser: refusal(browser, stack, "sandbox_deny=1"),
        "scope-missing": lambda browser: refusal(browser, stack,
                                                 "sandbox_deny_scope=activity:write"),
    }


def test_every_page_in_two_languages_and_two_widths_has_no_serious_accessibility_violation(
    signed_in: webdriver.Chrome, stack: LiveStack, screenshot: Callable[[str], Path],
    record_property: Callable[[str, object], None],
) -> None:
    browser = signed_in
    found: dict[str, list[dict[str, Any]]] = {}
    shown = 0
    for language in LANGUAGES:
        speak(browser, stack, language)
        for name, go in pages(stack).items():
            go(browser)  # once: each width reflows the same page
            assert browser.execute_script(
                "return document.documentElement.lang") == language, (name, language)
            for size in WIDTHS:
                with width(browser, size):
                    screenshot(f"{name}-{language}-{size}")
                    bad = violations(browser)
                    shown += 1
                if bad:
                    found[f"{name} {language} {size}"] = bad
    record_property("axe", f"{shown} pages checked, {len(found)} with serious violations")
    assert not found, found


def test_axe_finds_what_it_is_there_to_find(signed_in: webdriver.Chrome, stack: LiveStack) -> None:
    """The check above can fail: a picture without a text alternative is a critical one."""
    browser = signed_in
    open_page(browser, stack, "/privacy")
    assert not violations(browser)
    browser.execute_script("const img = document.createElement('img'); img.src = '/favicon.ico';"
                           "document.querySelector('main').appendChild(img);")
    assert [v["id"] for v in violations(browser)] == ["image-alt"]


def test_the_oauth_refusals_have_the_layout_the_language_words_and_connect_again(
    signed_in: webdriver.Chrome, stack: LiveStack
) -> None:
    browser = signed_in
    speak(browser, stack, "de")
    refusal(browser, stack, "sandbox_deny_scope=activity:write")
    assert browser.execute_script("return document.documentElement.lang") == "de"
    assert browser.find_elements(By.CSS_SELECTOR, "a.skip-link")
    assert browser.title.endswith(" · Stridewise")
    missing = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#missing li")]
    assert missing == ["Feedback in die Beschreibungen deiner Aktivitäten schreiben"]
    assert "activity:write" not in browser.find_element(By.TAG_NAME, "body").text
    again = browser.find_element(By.CSS_SELECTOR, "a#connect-again")
    assert again.text == "Erneut verbinden"
    again.click()  # the sandbox approves this time: back on the athlete's page
    for _ in range(4):  # the refusals above used this address's sign-ins (one more comes
        if path_of(browser) == "/me":  # every OAUTH_REFILL_S): the 429 says to wait
            break
        assert "Too many sign-in attempts" in browser.find_element(By.TAG_NAME, "body").text
        time.sleep(2 * OAUTH_REFILL_S + 0.5)  # the connect and its callback
        open_page(browser, stack, "/connect")
    wait_until(lambda: path_of(browser) == "/me", PAGE_TIMEOUT_S, "/me after connecting again")
    speak(browser, stack, "en")


def test_leaving_with_my_blocks_removed_leaves_every_description_as_the_athlete_wrote_it(
    signed_in: webdriver.Chrome, stack: LiveStack, screenshot: Callable[[str], Path]
) -> None:
    browser = signed_in
    wait_until(lambda: backfilled(stack), BACKFILL_TIMEOUT_S, "the backfill of the history")
    for seed in (51, 52):
        upload_and_wait(stack, "easy", seed=seed)
    before = {int(a["id"]): described(stack, int(a["id"])) for a in sandbox_activities(stack)}
    written = {i for i, text in before.items() if find_block(text) is not None}
    assert len(written) >= 2, before

    speak(browser, stack, "de")
    open_page(browser, stack, "/me/delete")
    browser.find_element(By.CSS_SELECTOR, "input#blocks-cache").click()
    stack.faults(slow_rate=1.0, slow_seconds=READ_SLOWLY_S)  # time to look at the progress
    bad: dict[str, list[dict[str, Any]]] = {}
    try:
        browser.find_element(By.CSS_SELECTOR, "button#delete").click()
        wait_until(lambda: bool(browser.find_elements(By.CSS_SELECTOR, "#removing")),
                   PAGE_TIMEOUT_S, "the removal's progress")
        for language in ("de", "en"):
            with stack.db.session() as session:
                session.execute(update(Athlete).where(Athlete.id == ATHLETE)
                                .values(language=language))
            open_page(browser, stack, "/me/delete")
            assert browser.find_elements(By.CSS_SELECTOR, "#removing"), "removed too soon"
            assert browser.execute_script("return document.documentElement.lang") == language
            for size in WIDTHS:
                with width(browser, size):
                    screenshot(f"leaving-{language}-{size}")
                    bad[f"leaving {language} {size}"] = violations(browser)
        with stack.db.session() as session:  # the athlete's own language again
            session.execute(update(Athlete).where(Athlete.id == ATHLETE).values(language="de"))
    finally:
        stack.faults()
    # The page does not reload itself (axe: a timed refresh the reader cannot stop is a
    # critical violation); its "Check again" shows how far it is, and at the end what was done.
    wait_until(lambda: check_again(browser), LEAVING_TIMEOUT_S,
               "the page saying the blocks are removed and the data gone")
    assert browser.execute_script("return document.documentElement.lang") == "de"
    for size in WIDTHS:
        with width(browser, size):
            screenshot(f"left-de-{size}")
            bad[f"left de {size}"] = violations(browser)
    assert not [page for page, found in bad.items() if found], bad
    assert f"Stridewise hat {len(written)} Blöcke aus deinen Beschreibungen entfernt." in \
        browser.find_element(By.ID, "removed").text

    for activity_id, text in before.items():
        now = described(stack, activity_id)
        assert find_block(now) is None, (activity_id, now)
        assert now == remove(text), (activity_id, now)  # the athlete's text, byte for byte
    for activity_id in written:
        if before[activity_id].startswith("Legs felt heavy."):
            assert described(stack, activity_id) == "Legs felt heavy."
    with stack.db.session() as session:
        assert session.get(Athlete, ATHLETE) is None
    open_page(browser, stack, "/me")
    assert path_of(browser) != "/me"
    wait_until(lambda: not browser.find_elements(By.CSS_SELECTOR, "#logout"), BLOCK_TIMEOUT_S,
               "the signed-out front page")


def check_again(browser: webdriver.Chrome) -> bool:
    """Whether the page says the removal is done; if not, follow its "Check again"."""
    if browser.find_elements(By.CSS_SELECTOR, "#removed"):
        return True
    browser.find_element(By.CSS_SELECTOR, "a#check-again").click()
    time.sleep(1.0)
    return bool(browser.find_elements(By.CSS_SELECTOR, "#removed"))


def described(stack: LiveStack, activity_id: int) -> str:
    return stack.description(activity_id)

