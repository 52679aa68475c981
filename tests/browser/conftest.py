"""Fixtures of the browser tests: a real browser on a real stack, Debian's Chromium driven by
Selenium against sandbox, web and worker processes.

One stack and one browser serve a whole module: starting either costs seconds, and the tests
follow one athlete's visit in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from tests.browser.chromium import (
    ATHLETE,
    CHROMEDRIVER,
    CHROMIUM,
    CHROMIUM_FLAGS,
    HISTORY_DAYS,
    PAGE_TIMEOUT_S,
    SCREENSHOTS,
    require_chromium,
    wait_until,
)
from tests.reliability.harness import LiveStack, live_stack
from tests.services import RedisServer, in_ci, postgres_available, postgres_database, sqlite_url
from tests.support.browsing import BACKFILL_TIMEOUT_S, backfilled, connect, open_page, path_of


@pytest.fixture(scope="module")
def browser_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """PostgreSQL when the machine has it (as in production and CI), else a SQLite file."""
    if postgres_available() or in_ci():
        with postgres_database() as url:
            yield url
    else:
        yield sqlite_url(tmp_path_factory.mktemp("browser-db"))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, browser_database: str,
          session_redis: RedisServer | None) -> Iterator[LiveStack]:
    """Sandbox, web and worker, with weeks of the athlete's history waiting at the sandbox."""
    redis_url = ""
    if session_redis is not None:
        with session_redis.client() as client:
            client.flushdb()
        redis_url = session_redis.url
    tmp_path = tmp_path_factory.mktemp("browser-stack")
    with live_stack(tmp_path, browser_database, redis_url,
                    SANDBOX_DEMO_ATHLETE=str(ATHLETE)) as live:
        live.start()
        answer = live.http.post(f"/_sandbox/athletes/{ATHLETE}/history",
                                json={"days": HISTORY_DAYS, "seed": 11})
        answer.raise_for_status()
        yield live


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """Headless Chromium with a fresh profile; quits when the module is done."""
    require_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    service = Service(executable_path=str(CHROMEDRIVER),
                      log_output=str(tmp_path_factory.mktemp("chromedriver") / "driver.log"))
    with pytest.MonkeyPatch.context() as patch:
        # Belt and braces: the paths above already keep Selenium Manager from running at all.
        patch.setenv("SE_OFFLINE", "true")
        driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(PAGE_TIMEOUT_S)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def screenshot(browser: webdriver.Chrome) -> Callable[[str], Path]:
    """Save what the browser shows under var/screenshots/, for a human to look at."""

    def save(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        browser.save_screenshot(str(path))
        return path

    return save


@pytest.fixture
def signed_in(browser: webdriver.Chrome, stack: LiveStack) -> webdriver.Chrome:
    """The browser on /me, connected (through the sandbox) if it was not, history read."""
    open_page(browser, stack, "/me")
    if path_of(browser) != "/me" or not browser.find_elements(By.CSS_SELECTOR, "#logout"):
        connect(browser, stack)
    wait_until(lambda: backfilled(stack), BACKFILL_TIMEOUT_S, "the backfill of the history")
    return browser
