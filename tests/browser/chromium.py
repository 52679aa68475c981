"""What the browser tests share: where Chromium is, who connects, how long to wait.

The browser is the machine's own (/usr/bin/chromium with /usr/bin/chromedriver, installed by
.ci/run through apt-get); nothing here downloads one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.services import in_ci

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Where screenshots go for a look (var/ is ignored by git).
SCREENSHOTS = REPO_ROOT / "var" / "screenshots"
#: The athlete who approves at the sandbox when the browser connects.
ATHLETE = 2_718_281_828
#: Days of past training the sandbox holds for the athlete before they connect.
HISTORY_DAYS = 28
#: Chromium on a machine without internet: no background traffic, no sandbox (root in CI).
CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-US",
)
#: How long a page and an element have to appear.
PAGE_TIMEOUT_S = 15.0


def require_chromium() -> None:
    """Skip the calling test module (a laptop without Chromium), or fail it (CI=true), when
    the browser or its driver is missing."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if not missing:
        return
    message = (f"{' and '.join(missing)} missing: install Debian's chromium and "
               "chromium-driver (.ci/run does)")
    if in_ci():
        pytest.fail(message + " (CI=true requires them)", pytrace=False)
    pytest.skip(message, allow_module_level=True)


def wait_until(check: Callable[[], object], timeout: float, what: str) -> None:
    """Poll ``check`` until it is truthy; fail naming ``what`` when time is up."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)
