"""The reverse-proxy sample of OPERATIONS.md, which operators copy as it stands."""

from __future__ import annotations

import re
from pathlib import Path

OPERATIONS = Path(__file__).resolve().parents[2] / "OPERATIONS.md"


def nginx_sample() -> str:
    found = re.search(r"```nginx\n(.*?)```", OPERATIONS.read_text(), re.DOTALL)
    assert found, "OPERATIONS.md has no nginx sample"
    return found.group(1)


def location(sample: str, path: str) -> str:
    found = re.search(r"location\s+" + re.escape(path) + r"\s*\{(.*?)\n\s*\}", sample, re.DOTALL)
    assert found, f"the nginx sample has no location {path}"
    return found.group(1)


def test_the_proxy_sample_keeps_the_webhook_secret_out_of_its_access_log() -> None:
    webhook = location(nginx_sample(), "/webhook/")
    assert re.search(r"^\s*access_log\s+off;", webhook, re.MULTILINE)
    assert "proxy_pass" in webhook
