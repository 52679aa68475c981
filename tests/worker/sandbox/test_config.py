"""SandboxConfig from the environment: the app's quota variables and the SANDBOX_* ones."""

from __future__ import annotations

import pytest

from worker.ratelimits import RateLimits, RateWindows
from worker.sandbox.config import SandboxConfig, SandboxConfigError


def test_defaults_are_strava_defaults() -> None:
    config = SandboxConfig.from_env({})
    assert config.quota == RateLimits(200, 2000, 100, 1000)
    assert config.windows == RateWindows(900, 86400)
    assert config.token_ttl_s == 6 * 3600


def test_reads_the_same_rate_variables_as_the_app() -> None:
    config = SandboxConfig.from_env({"STRAVA_RATE_LIMITS": "20,200;10,100",
                                     "STRAVA_RATE_WINDOWS": "10,60", "SANDBOX_TOKEN_TTL": "5",
                                     "SANDBOX_DEMO_ATHLETE": "12", "SANDBOX_HISTORY_DAYS": "0"})
    assert config.quota == RateLimits(20, 200, 10, 100)
    assert config.windows == RateWindows(10, 60)
    assert (config.token_ttl_s, config.demo_athlete_id, config.history_days) == (5, 12, 0)


@pytest.mark.parametrize("env", [
    {"STRAVA_RATE_LIMITS": "200,2000"},
    {"STRAVA_RATE_LIMITS": "0,1;1,1"},
    {"STRAVA_RATE_WINDOWS": "900"},
    {"STRAVA_RATE_WINDOWS": "86400,900"},
    {"SANDBOX_TOKEN_TTL": "six hours"},
    {"SANDBOX_WEBHOOK_BACKOFF": "-1"},
])
def test_unusable_values_name_their_variable(env: dict[str, str]) -> None:
    with pytest.raises(SandboxConfigError, match=next(iter(env))):
        SandboxConfig.from_env(env)
