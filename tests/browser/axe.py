"""axe-core in the pages the browser tests open: injected by the test (the pages load no
script), run on the whole document, its serious and critical violations reported.

axe-core comes from npm at the version tests/browser/package-lock.json pins (``make test``
runs ``npm ci --prefix tests/browser``); without it the browser tests skip on a laptop and
fail under CI=true, as they do without Chromium.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from selenium import webdriver

from tests.conftest import REPO_ROOT
from tests.services import in_ci

AXE = REPO_ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
#: The impacts that fail a page: axe's two highest of four.
FAILING = ("serious", "critical")
#: Runs axe on the document and hands its violations back to the test.
RUN_JS = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
   .then(result => done({violations: result.violations.map(v => ({
       id: v.id, impact: v.impact, help: v.help,
       nodes: v.nodes.map(n => n.target.join(' '))}))}))
   .catch(error => done({error: String(error)}));
"""


def require_axe() -> None:
    """Skip the calling module (a laptop without npm's axe-core), or fail it (CI=true)."""
    if AXE.is_file():
        return
    message = f"{AXE} missing: run `make browser-deps` (npm ci --prefix tests/browser)"
    if in_ci():
        pytest.fail(message + " (CI=true requires it)", pytrace=False)
    pytest.skip(message, allow_module_level=True)


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def violations(browser: webdriver.Chrome) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page the browser shows."""
    browser.execute_script(axe_source())
    browser.set_script_timeout(60)
    result: dict[str, Any] = browser.execute_async_script(RUN_JS)
    assert "error" not in result, result.get("error")
    found: list[dict[str, Any]] = result["violations"]
    return [v for v in found if v["impact"] in FAILING]
