"""The browser is the machine's Debian Chromium, and its absence skips or fails as it should."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from selenium import webdriver

from tests.browser import axe, chromium
from tests.browser.chromium import CHROMEDRIVER, CHROMIUM, require_chromium


def version(binary: Path) -> str:
    """The x.y.z.w version a binary prints with --version."""
    printed = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                             timeout=30, check=True).stdout
    found = re.search(r"\d+\.\d+\.\d+\.\d+", printed)
    assert found is not None, printed
    return found.group(0)


def test_the_driven_browser_is_the_machines_chromium_through_its_driver(
    browser: webdriver.Chrome
) -> None:
    capabilities = browser.capabilities
    assert capabilities["browserVersion"] == version(CHROMIUM)
    assert capabilities["chrome"]["chromedriverVersion"].split()[0] == version(CHROMEDRIVER)


def test_without_chromium_the_tests_skip_on_a_laptop_and_fail_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(chromium, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="chromium-driver"):
        require_chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true requires them"):
        require_chromium()


def test_without_axe_core_the_tests_skip_on_a_laptop_and_fail_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(axe, "AXE", tmp_path / "axe.min.js")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="make browser-deps"):
        axe.require_axe()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true requires it"):
        axe.require_axe()
