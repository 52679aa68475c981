"""An athlete's visit in a real browser on a live stack, as the browser tests take it: pages
opened and waited for, connecting through the sandbox, the history read, and uploads waited
for until the worker has written their block."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from analysis.description import find_block
from tests.browser.chromium import ATHLETE, PAGE_TIMEOUT_S, wait_until
from tests.reliability.harness import LiveStack
from worker.models import Athlete

#: How long an upload has to get its block, and the backfill to fill the cache.
BLOCK_TIMEOUT_S = 60.0
BACKFILL_TIMEOUT_S = 60.0


def path_of(browser: webdriver.Chrome) -> str:
    return urlsplit(browser.current_url).path


def open_page(browser: webdriver.Chrome, stack: LiveStack, path: str) -> None:
    browser.get(stack.settings.public_url + path)


def loaded(browser: webdriver.Chrome, path: str) -> bool:
    """Whether the browser shows ``path``, its document read to the end: the address changes
    as soon as a redirect is followed, before the new page is parsed."""
    return (path_of(browser) == path
            and browser.execute_script("return document.readyState") == "complete")


def wait_for_path(browser: webdriver.Chrome, path: str) -> None:
    wait_until(lambda: loaded(browser, path), PAGE_TIMEOUT_S,
               f"the browser to reach {path} (it is at {browser.current_url})")


def gone(element: WebElement) -> bool:
    """Whether ``element`` has left the page, as it does when a form is sent and the next page
    loads. Chromium answers a question about a node of the page being replaced either as
    stale, or, in the instant of the swap, with "Node with given id does not belong to the
    document" (a WebDriverException that selenium's ``staleness_of`` does not catch)."""
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" not in str(error.msg):
            raise
        return True
    return False


def wait_until_gone(element: WebElement, what: str) -> None:
    wait_until(lambda: gone(element), PAGE_TIMEOUT_S, f"{what} to leave the page")


def backfilled(stack: LiveStack) -> bool:
    """Whether the worker has read the athlete's history into the cache, to the end."""
    with stack.db.session() as session:
        athlete = session.get(Athlete, ATHLETE)
        return athlete is not None and athlete.history_read_at is not None


def connect(browser: webdriver.Chrome, stack: LiveStack) -> None:
    """A click on "Connect with Strava", the sandbox's approval, back to /me."""
    open_page(browser, stack, "/")
    browser.find_element(By.CSS_SELECTOR, "a#connect").click()
    wait_for_path(browser, "/me")


def upload_and_wait(stack: LiveStack, workout: str, seed: int) -> tuple[int, list[str]]:
    """Upload an activity at the sandbox, as the athlete's watch would; returns its id and the
    lines of the block the worker wrote into its description."""
    answer = stack.http.post(f"/_sandbox/athletes/{ATHLETE}/activities",
                             json={"workout": workout, "seed": seed,
                                   "description": "Legs felt heavy."})
    answer.raise_for_status()
    activity_id = int(answer.json()["id"])
    found = stack.wait_for_blocks([activity_id], timeout=BLOCK_TIMEOUT_S)
    assert found, f"activity {activity_id} got no block; logs in {stack.tmp_path}"
    return activity_id, block_lines(found[activity_id])


def block_lines(description: str) -> list[str]:
    """The lines of the block in a description, its first and last included."""
    block = find_block(description)
    assert block is not None, f"no block in {description!r}"
    return description[block[0]:block[1]].splitlines()


def sandbox_activities(stack: LiveStack) -> list[dict[str, Any]]:
    answer = stack.http.get(f"/_sandbox/athletes/{ATHLETE}/activities")
    answer.raise_for_status()
    activities: list[dict[str, Any]] = answer.json()
    return activities
