"""An athlete's visit in a real browser, on real sandbox, web and worker processes.

The tests follow one visit in file order, sharing one stack and one browser: the front page as
a stranger sees it, connecting through the sandbox's OAuth, the charts of their weeks, settings
that change the next block's language, units and numbers, keyboard-only use, the contrast of
every text, and finally deleting everything. Each test still stands alone: ``signed_in``
connects when the browser is not signed in yet.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from analysis.feedback import TITLES
from analysis.model import Workout, is_run
from analysis.training import STRENGTH_TRAINING_SPORTS
from tests.browser.chromium import ATHLETE, PAGE_TIMEOUT_S, require_chromium, wait_until
from tests.browser.contrast import COLLECT_JS, Measured, measure
from tests.browser.language import english_left, heart_rate_figures, translated_lines
from tests.reliability.harness import LiveStack
from tests.support import http
from tests.support.browsing import (
    BACKFILL_TIMEOUT_S,
    BLOCK_TIMEOUT_S,
    block_lines,
    connect,
    open_page,
    path_of,
    sandbox_activities,
    upload_and_wait,
    wait_for_path,
    wait_until_gone,
)
from tests.support.traces import leftovers, traces
from worker import preferences
from worker.models import Activity, InboxEvent

require_chromium()

pytestmark = pytest.mark.e2e

#: The charts of /me.
CHARTS = ("mix", "distance", "load", "strength", "runs")
#: Tab presses within which a form control must be reached on /me/settings.
MAX_TABS = 60
DEAUTHORIZE = "POST /oauth/deauthorize"
#: How long the sandbox takes to answer each API request while the history is read after
#: connecting: longer than /me's reload interval, so the page shows the reading and reloads.
READ_SLOWLY_S = 8.0
#: Elements a keyboard user operates (a focusable scrollable region is not one).
CONTROLS = ("a", "button", "input", "select", "textarea")


# -- helpers -----------------------------------------------------------------------------------

def cached(stack: LiveStack) -> bool:
    """Whether the cache holds any of the athlete's activities."""
    with stack.db.session() as session:
        return session.scalars(select(Activity.id).where(Activity.athlete_id == ATHLETE)
                               .limit(1)).first() is not None


def tab_until(browser: webdriver.Chrome, matches: Callable[[WebElement], bool],
              what: str, passed: list[str] | None = None) -> WebElement:
    """Press Tab until the focused element ``matches``; fail if it never does. The tags of
    the elements focused on the way are added to ``passed``."""
    for _ in range(MAX_TABS):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        focused = browser.switch_to.active_element
        if matches(focused):
            return focused
        if passed is not None:
            passed.append(focused.tag_name)
    pytest.fail(f"{MAX_TABS} presses of Tab never reached {what}")


def settings_form(browser: webdriver.Chrome) -> WebElement:
    return browser.find_element(By.CSS_SELECTOR, "form#settings")


def set_checkbox(form: WebElement, name: str, on: bool) -> None:
    box = form.find_element(By.CSS_SELECTOR, f"input[type=checkbox][name={name}]")
    if box.is_selected() != on:
        box.click()


def save_settings(browser: webdriver.Chrome, stack: LiveStack,
                  change: Callable[[WebElement], None]) -> preferences.Preferences:
    """Open /me/settings, ``change`` the form, press Save; returns what the database holds."""
    open_page(browser, stack, "/me/settings")
    form = settings_form(browser)
    change(form)
    browser.find_element(By.CSS_SELECTOR, "button#save").click()
    wait_until_gone(form, "the settings form")
    wait_until(lambda: browser.execute_script("return document.readyState") == "complete",
               PAGE_TIMEOUT_S, "the page after saving the settings")
    return saved_preferences(stack)


def saved_preferences(stack: LiveStack) -> preferences.Preferences:
    with stack.db.session() as session:
        found = preferences.load(session, ATHLETE)
    assert found is not None, "the athlete is not in the database"
    return found


def week_of(activity: dict[str, Any]) -> date:
    """The Monday of the activity's week in the athlete's own days (Strava's start_date_local,
    local wall time written with a "Z"), as the page and the block count them."""
    when = activity.get("start_date_local") or activity["start_date"]
    start = datetime.fromisoformat(str(when).replace("Z", "+00:00")).date()
    return start - timedelta(days=start.weekday())


def measure_page(browser: webdriver.Chrome) -> list[Measured]:
    """Contrast of every visible text on the page; the skip link is measured while focused,
    the only time it shows."""
    elements = browser.execute_script(COLLECT_JS)
    ActionChains(browser).send_keys(Keys.TAB).perform()
    elements += [e for e in browser.execute_script(COLLECT_JS) if e not in elements]
    assert elements, "the page shows no text"
    return [measure(element) for element in elements]


# -- the visit ---------------------------------------------------------------------------------

def test_from_the_front_page_the_keyboard_skips_to_connect_and_connects(
    browser: webdriver.Chrome, stack: LiveStack, screenshot: Callable[[str], Path]
) -> None:
    open_page(browser, stack, "/")
    browser.delete_all_cookies()
    open_page(browser, stack, "/")
    screenshot("front-page")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    skip = browser.switch_to.active_element
    target = (skip.get_attribute("href") or "").partition("#")[2]
    assert skip.tag_name == "a" and target, \
        f"the first Tab stop is {skip.tag_name} {skip.text!r}, not a skip link"
    assert skip.is_displayed(), "the skip link does not show when focused"
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.switch_to.active_element.get_attribute("id") == target
    # Past the header, Connect is the first control (a scrollable example may take focus
    # before it, so keyboard users can scroll it).
    passed: list[str] = []
    connect_link = tab_until(browser, lambda e: e.get_attribute("id") == "connect", "#connect",
                             passed)
    assert not [t for t in passed if t in CONTROLS], f"controls before #connect: {passed}"
    assert "Connect with Strava" in connect_link.text
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait_for_path(browser, "/me")


def test_connect_through_the_sandbox_lands_on_the_athletes_page(
    browser: webdriver.Chrome, stack: LiveStack
) -> None:
    browser.delete_all_cookies()
    stack.reset_stats()
    connect(browser, stack)
    cookies = {c["name"]: c for c in browser.get_cookies()}
    session = [c for c in cookies.values() if c.get("httpOnly")]
    assert session, f"no HttpOnly session cookie after the callback: {sorted(cookies)}"
    assert all(c.get("sameSite") in ("Lax", "Strict") for c in session), session
    oauth = stack.stats()["by_endpoint"]
    assert (oauth.get("GET /oauth/authorize"), oauth.get("POST /oauth/token")) == (1, 1), oauth
    assert browser.find_elements(By.CSS_SELECTOR, "header a[href$='/me/settings']")
    assert browser.find_elements(By.CSS_SELECTOR, "#logout")


def test_the_page_draws_the_sandboxs_weeks_as_bar_charts(
    signed_in: webdriver.Chrome, stack: LiveStack, screenshot: Callable[[str], Path]
) -> None:
    browser = signed_in
    open_page(browser, stack, "/me")
    screenshot("me")
    charts = {c.get_attribute("data-chart"): c
              for c in browser.find_elements(By.CSS_SELECTOR, "svg.chart")}
    assert set(CHARTS) <= set(charts), f"charts drawn: {sorted(charts)}"
    activities = sandbox_activities(stack)
    expected = {
        "mix": Counter(week_of(a) for a in activities),
        "runs": Counter(week_of(a) for a in activities if is_run(str(a["sport_type"]))),
        "strength": Counter(week_of(a) for a in activities
                            if str(a["sport_type"]) in STRENGTH_TRAINING_SPORTS),
    }
    assert expected["strength"], "the sandbox's history has no strength session to draw"
    for kind in CHARTS:
        bars = [b for b in charts[kind].find_elements(By.CSS_SELECTOR, "rect[data-value]")
                if b.size["height"] > 0 and b.size["width"] > 0]
        assert bars, f"the {kind} chart has no bar"

    # The oldest week drawn may be cut by the history's horizon; every later one, up to this
    # week, is whole, and each chart must add up to the sandbox's count for it.
    oldest = min(bar_sums(charts["mix"]))
    this_week = week_of({"start_date": datetime.now(UTC).isoformat()})
    weeks = [oldest + timedelta(weeks=n) for n in range(1, (this_week - oldest).days // 7 + 1)]
    assert len(weeks) >= 3, f"fewer than four weeks drawn: {sorted(bar_sums(charts['mix']))}"
    for kind, counts in expected.items():
        drawn = bar_sums(charts[kind])
        assert {w: drawn.get(w, 0) for w in weeks} == {w: counts[w] for w in weeks}, kind

    links = {a.get_attribute("href")
             for a in browser.find_elements(By.CSS_SELECTOR, "a[href*='strava.com/']")}
    strava = {f"https://www.strava.com/activities/{a['id']}" for a in activities}
    assert links and links <= strava, f"activity links not to Strava's pages: {links - strava}"


#: What every chart text measures on a phone 390 CSS px wide, its rendered size from its
#: font-size and the drawing's scale, and whether two texts of one chart overlap.
CHART_TEXT_JS = """
const found = [];
for (const svg of document.querySelectorAll('svg.chart')) {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const boxes = [];
  for (const text of svg.querySelectorAll('text')) {
    const box = text.getBoundingClientRect();
    const overlaps = boxes.some(b => box.left < b.right - 0.5 && b.left < box.right - 0.5
                                     && box.top < b.bottom - 0.5 && b.top < box.bottom - 0.5);
    boxes.push(box);
    found.push({chart: svg.dataset.chart, text: text.textContent, overlaps: overlaps,
                px: parseFloat(text.getAttribute('font-size')) * scale});
  }
}
return {width: window.innerWidth, texts: found};
"""
#: The phone the charts must be readable on, and the smallest text it may show.
PHONE_WIDTH_PX = 390
MIN_TEXT_PX = 12


def test_on_a_phone_every_chart_text_is_12_px_or_more_and_none_overlaps(
    signed_in: webdriver.Chrome, stack: LiveStack, screenshot: Callable[[str], Path]
) -> None:
    browser = signed_in
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": PHONE_WIDTH_PX, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        open_page(browser, stack, "/me")
        screenshot("me-phone")
        measured = browser.execute_script(CHART_TEXT_JS)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert measured["width"] == PHONE_WIDTH_PX
    texts = measured["texts"]
    assert {t["chart"] for t in texts} >= set(CHARTS), texts
    small = [t for t in texts if t["px"] < MIN_TEXT_PX]
    assert not small, small
    overlapping = [t for t in texts if t["overlaps"]]
    assert not overlapping, overlapping


def bar_sums(chart: WebElement) -> dict[date, int]:
    """Per week, what a chart's bars add up to (each bar carries its week and figure)."""
    sums: Counter[date] = Counter()
    for bar in chart.find_elements(By.CSS_SELECTOR, "rect[data-value][data-week]"):
        sums[date.fromisoformat(str(bar.get_attribute("data-week")))] += \
            int(float(str(bar.get_attribute("data-value"))))
    return dict(sums)


def test_german_and_imperial_write_the_next_block_in_german_with_miles(
    signed_in: webdriver.Chrome, stack: LiveStack, screenshot: Callable[[str], Path]
) -> None:
    browser = signed_in
    save_settings(browser, stack, lambda form: set_language_and_units(form, "en", "metric"))
    latest, english = upload_and_wait(stack, "tempo", seed=21)
    assert distances(english, "km") and not distances(english, "mi"), english

    saved = save_settings(browser, stack,
                          lambda form: set_language_and_units(form, "de", "imperial"))
    assert (saved.language, saved.units) == ("de", "imperial")
    screenshot("settings-de")
    assert browser.execute_script("return document.documentElement.lang") == "de"
    assert settings_form(browser).find_element(
        By.CSS_SELECTOR, "input[name=units][value=imperial]").is_selected()

    _, german = upload_and_wait(stack, "tempo", seed=22)
    assert distances(german, "mi") and not distances(german, "km"), german
    assert_language(german, "de")
    # Saving wrote the block of the activity that was the latest then again, in German too.
    wait_until(lambda: distances(block_lines(stack.description(latest)), "mi"),
               BLOCK_TIMEOUT_S, "the latest block rewritten with the new settings")
    rewritten = block_lines(stack.description(latest))
    assert distances(rewritten, "mi") and not distances(rewritten, "km"), rewritten
    assert_language(rewritten, "de")


@pytest.mark.parametrize("path", ["/me", "/me/settings"])
def test_the_athletes_pages_speak_the_language_they_chose(
    signed_in: webdriver.Chrome, stack: LiveStack, path: str
) -> None:
    browser = signed_in
    if saved_preferences(stack).language != "de":
        save_settings(browser, stack,
                      lambda form: Select(form.find_element(
                          By.CSS_SELECTOR, "select[name=language]")).select_by_value("de"))
    open_page(browser, stack, path)
    assert browser.execute_script("return document.documentElement.lang") == "de"
    lines = [line.strip() for line in browser.find_element(By.TAG_NAME, "body").text
             .splitlines() if line.strip()]
    assert not english_left(lines, "de"), english_left(lines, "de")
    german = translated_lines(lines, "de")
    assert len(german) * 2 >= len(lines), \
        f"only {len(german)} of {len(lines)} lines of {path} in German: {lines}"
    if path == "/me":  # evidence analysed in English before the switch shows in German too
        listed = browser.find_elements(By.CSS_SELECTOR, "ol.activities li")
        said = [item.find_elements(By.TAG_NAME, "p")[1].text for item in listed]
        assert listed and all(re.search(r":.*:\s*\S", line) for line in said), said


def set_language_and_units(form: WebElement, language: str, units: str) -> None:
    Select(form.find_element(By.CSS_SELECTOR, "select[name=language]")).select_by_value(language)
    form.find_element(By.CSS_SELECTOR, f"input[name=units][value={units}]").click()
    set_checkbox(form, "feedback", True)
    set_checkbox(form, "numbers", True)


def distances(lines: list[str], unit: str) -> list[str]:
    """Figures in ``unit`` (``4.2 km``, ``2,6 mi``) the block's lines give."""
    return re.findall(rf"\d+(?:[.,]\d+)? ?{unit}\b", "\n".join(lines))


def test_numbers_off_leave_no_heart_rate_or_load_figure_in_the_next_block(
    signed_in: webdriver.Chrome, stack: LiveStack
) -> None:
    browser = signed_in
    save_settings(browser, stack, lambda form: set_checkbox(form, "numbers", True))
    language = saved_preferences(stack).language
    _, shown = upload_and_wait(stack, "tempo", seed=31)
    assert heart_rate_figures(shown, language), f"no heart-rate figure with numbers on: {shown}"
    assert load_ratios(shown), f"no load figure with numbers on: {shown}"

    saved = save_settings(browser, stack, lambda form: set_checkbox(form, "numbers", False))
    assert saved.public_numbers is False
    assert not settings_form(browser).find_element(
        By.CSS_SELECTOR, "input[name=numbers]").is_selected()
    _, hidden = upload_and_wait(stack, "tempo", seed=32)
    assert not heart_rate_figures(hidden, language), hidden
    assert not load_ratios(hidden), hidden


def test_a_corrected_label_rewrites_the_block_and_moves_the_weeks_bar(
    signed_in: webdriver.Chrome, stack: LiveStack, screenshot: Callable[[str], Path]
) -> None:
    browser = signed_in
    voice = saved_preferences(stack).voice()
    activity_id, before = upload_and_wait(stack, "easy", seed=41)
    race = voice.gettext(TITLES[Workout.RACE])
    assert not before[1].startswith(race + ":"), before
    open_page(browser, stack, "/me")
    races_before = sum(workout_bars(browser, "race").values())

    open_page(browser, stack, f"/me/activities/{activity_id}")
    screenshot("activity")
    assert before[1] in browser.find_element(By.CSS_SELECTOR, "pre#block").text
    form = browser.find_element(By.CSS_SELECTOR, "form#label-form")
    Select(form.find_element(By.CSS_SELECTOR, "select#label")).select_by_value("race")
    form.find_element(By.CSS_SELECTOR, "button#save-label").click()
    wait_until_gone(form, "the label form")
    assert browser.find_element(By.CSS_SELECTOR, "[role=status]").text
    wait_until(lambda: block_lines(stack.description(activity_id))[1].startswith(race + ":"),
               BLOCK_TIMEOUT_S, "the block rewritten with the athlete's label")
    assert stack.description(activity_id).startswith("Legs felt heavy.")
    open_page(browser, stack, "/me")
    assert sum(workout_bars(browser, "race").values()) == races_before + 1


def workout_bars(browser: webdriver.Chrome, workout: str) -> dict[date, int]:
    """Per week, the mix chart's sessions of ``workout``."""
    chart = browser.find_element(By.CSS_SELECTOR, "svg.chart[data-chart=mix]")
    sums: Counter[date] = Counter()
    for bar in chart.find_elements(By.CSS_SELECTOR, f"rect[data-workout={workout}]"):
        sums[date.fromisoformat(str(bar.get_attribute("data-week")))] += \
            int(float(str(bar.get_attribute("data-value"))))
    return dict(sums)


def test_turning_feedback_off_says_no_block_is_written_and_asks_strava_for_nothing(
    signed_in: webdriver.Chrome, stack: LiveStack
) -> None:
    browser = signed_in
    voice = saved_preferences(stack).voice()
    save_settings(browser, stack, lambda form: set_checkbox(form, "feedback", True))
    asked = updates_recorded(stack)
    saved = save_settings(browser, stack, lambda form: set_checkbox(form, "feedback", False))
    assert saved.feedback_on is False
    notice = browser.find_element(By.CSS_SELECTOR, "[role=status]").text
    assert notice == voice.gettext("Saved. Stridewise writes no block into your activities "
                                   "from now on; the blocks already written stay as they are.")
    assert updates_recorded(stack) == asked  # no block to write, so no read of Strava asked
    save_settings(browser, stack, lambda form: set_checkbox(form, "feedback", True))


def updates_recorded(stack: LiveStack) -> int:
    """Update events of the athlete in the inbox: a settings save asks for a block with one."""
    with stack.db.session() as session:
        return len(session.scalars(select(InboxEvent.id).where(
            InboxEvent.owner_id == ATHLETE, InboxEvent.aspect_type == "update")).all())


def test_error_pages_have_the_sites_layout_and_language_and_the_favicon_is_served(
    signed_in: webdriver.Chrome, stack: LiveStack, screenshot: Callable[[str], Path]
) -> None:
    browser = signed_in
    language = saved_preferences(stack).language
    for path in ("/no/such/page", "/me/activities/1"):
        open_page(browser, stack, path)
        screenshot("not-found")
        assert browser.execute_script("return document.documentElement.lang") == language
        assert browser.title.endswith(" · Stridewise") and len(browser.title) > 14
        assert browser.find_elements(By.CSS_SELECTOR, "main h1")
        assert browser.find_elements(By.CSS_SELECTOR, "a.skip-link")
    icon = http.get(stack.settings.public_url + "/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"


def load_ratios(lines: list[str]) -> list[str]:
    """Load figures: ratios to the athlete's usual (``2.3x``, ``2,3x``)."""
    return re.findall(r"\d+(?:[.,]\d+)?x\b", "\n".join(lines))


def test_keyboard_alone_changes_a_setting_and_saves_it(
    signed_in: webdriver.Chrome, stack: LiveStack
) -> None:
    browser = signed_in
    open_page(browser, stack, "/me/settings")
    before = saved_preferences(stack)
    box = tab_until(browser, lambda e: e.get_attribute("name") == "section"
                    and e.get_attribute("value") == "refuel", "the refuel section's checkbox")
    ActionChains(browser).send_keys(Keys.SPACE).perform()
    assert box.is_selected() != ("refuel" in before.sections)
    tab_until(browser, lambda e: e.get_attribute("id") == "save", "the Save button")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait_until(lambda: ("refuel" in saved_preferences(stack).sections)
               != ("refuel" in before.sections), PAGE_TIMEOUT_S, "the keyboard's change saved")
    after = saved_preferences(stack)
    assert after.sections ^ before.sections == {"refuel"}
    assert (after.language, after.units, after.public_numbers) == \
        (before.language, before.units, before.public_numbers)


@pytest.mark.parametrize("path", ["/", "/me", "/me/settings"])
def test_every_visible_text_meets_wcag_aa_contrast(
    signed_in: webdriver.Chrome, stack: LiveStack, path: str,
    record_property: Callable[[str, object], None]
) -> None:
    browser = signed_in
    open_page(browser, stack, path)
    measured = measure_page(browser)
    lowest = min(measured, key=lambda m: m.ratio)
    record_property("measured", f"contrast on {path}: {len(measured)} texts, lowest "
                    f"{lowest.ratio:.2f}:1 ({lowest.description}, needs {lowest.required}:1)")
    failing = [f"{m.description}: {m.ratio}:1 < {m.required}:1" for m in measured
               if not m.passes]
    assert not failing, "\n".join(failing)


def test_signing_out_ends_the_session_even_for_a_kept_copy_of_its_cookie(
    signed_in: webdriver.Chrome, stack: LiveStack
) -> None:
    browser = signed_in
    kept = [c for c in browser.get_cookies() if c.get("httpOnly")]
    assert kept, "no session cookie to keep"
    browser.find_element(By.CSS_SELECTOR, "#logout").click()
    wait_for_path(browser, "/")
    assert not browser.find_elements(By.CSS_SELECTOR, "#logout")
    for cookie in kept:
        browser.add_cookie({k: cookie[k] for k in ("name", "value", "path", "httpOnly")})
    open_page(browser, stack, "/me")
    assert path_of(browser) != "/me", "a signed-out session's cookie still opens /me"
    assert not browser.find_elements(By.CSS_SELECTOR, "svg.chart")


def test_deleting_the_data_revokes_at_strava_and_leaves_nothing_in_the_database(
    signed_in: webdriver.Chrome, stack: LiveStack, screenshot: Callable[[str], Path]
) -> None:
    browser = signed_in
    activities = sandbox_activities(stack)
    words, numbers, labels = traces(stack, [int(a["id"]) for a in activities])
    words.add(str(ATHLETE))
    assert leftovers(stack, words, numbers, labels), "nothing of the athlete was ever stored"
    stack.reset_stats()

    open_page(browser, stack, "/me/settings")
    browser.find_element(By.CSS_SELECTOR, "a[href$='/me/delete']").click()
    wait_for_path(browser, "/me/delete")
    screenshot("delete-confirm")
    assert cached(stack), "the confirmation page deleted before confirming"
    asking = browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.CSS_SELECTOR, "button#delete").click()
    wait_until(lambda: not browser.find_elements(By.CSS_SELECTOR, "button#delete")
               and browser.find_elements(By.TAG_NAME, "h1"),
               PAGE_TIMEOUT_S, "the page saying the data is deleted")
    screenshot("deleted")
    assert browser.find_element(By.TAG_NAME, "h1").text not in ("", asking)

    stats = stack.stats()
    assert stats["by_endpoint"].get(DEAUTHORIZE) == 1, stats["by_endpoint"]
    # The sandbox announces the revoke as Strava does; the stack handles that event too.
    wait_until(lambda: deauthorization_delivered(stack), PAGE_TIMEOUT_S,
               "the sandbox's deauthorization event to reach the web process")
    settle(stack)
    # That event races the delete: recorded while the delete runs (the athlete still known),
    # it is handled after it, and goes too.
    left = leftovers(stack, words, numbers, labels)
    assert not left, left

    open_page(browser, stack, "/me")
    assert path_of(browser) != "/me" or not browser.find_elements(By.CSS_SELECTOR, "svg.chart")


def settle(stack: LiveStack) -> None:
    """Wait until the worker has handled every event the web process took in."""
    wait_until(lambda: not stack.inbox_statuses().get("pending"), BLOCK_TIMEOUT_S,
               "the worker to handle every event")


def deauthorization_delivered(stack: LiveStack) -> bool:
    return any(a["object_type"] == "athlete" and a["object_id"] == ATHLETE
               and a["status"] == 200 for a in stack.stats()["webhooks"]["attempts"])


def assert_language(lines: list[str], language: str) -> None:
    """Every line between the block's markers is in ``language``, none left in English."""
    body = lines[1:-1]
    assert body, lines
    assert not english_left(body, language), english_left(body, language)
    untranslated = [line for line in body if line not in translated_lines(body, language)]
    assert not untranslated, untranslated


def test_a_visitor_who_chose_german_connects_in_german_and_sees_the_weeks_arrive(
    browser: webdriver.Chrome, stack: LiveStack, screenshot: Callable[[str], Path]
) -> None:
    """After the deletion above the athlete is new again: the front page's language goes with
    them, and /me reloads itself while their history is read (held up by a slow Strava)."""
    if saved_language(stack) is not None:
        pytest.skip("the athlete is still connected: run the visit from its start")
    browser.delete_all_cookies()
    open_page(browser, stack, "/")
    browser.find_element(By.CSS_SELECTOR, "nav.languages a[lang=de]").click()
    wait_until(lambda: browser.execute_script("return document.documentElement.lang") == "de",
               PAGE_TIMEOUT_S, "the front page in German")
    stack.faults(slow_rate=1.0, slow_seconds=READ_SLOWLY_S)
    try:
        browser.find_element(By.CSS_SELECTOR, "a#connect").click()
        wait_for_path(browser, "/me")
        screenshot("me-reading")
        assert browser.execute_script("return document.documentElement.lang") == "de"
        assert browser.find_elements(By.CSS_SELECTOR, "#reading")
        assert browser.find_elements(By.CSS_SELECTOR, "meta[http-equiv=refresh]")
        assert saved_language(stack) == "de"
        # No reload of ours from here: the page's own refresh brings the weeks.
        wait_until(lambda: bool(browser.find_elements(By.CSS_SELECTOR, "svg.chart")),
                   BACKFILL_TIMEOUT_S, "the weeks to arrive on /me by themselves")
    finally:
        stack.faults()
    assert not browser.find_elements(By.CSS_SELECTOR, "#reading")
    assert not browser.find_elements(By.CSS_SELECTOR, "meta[http-equiv=refresh]")


def saved_language(stack: LiveStack) -> str | None:
    with stack.db.session() as session:
        found = preferences.load(session, ATHLETE)
    return found.language if found is not None else None
