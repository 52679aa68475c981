"""The sandbox's settings, read from the same environment variables as the app."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from worker.ratelimits import (
    DEFAULT_RATE_LIMITS,
    DEFAULT_RATE_WINDOWS,
    ConfigError,
    RateLimits,
    RateWindows,
)
from worker.sandbox_identity import (
    DEFAULT_DEMO_ATHLETE,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
)

#: Strava's access tokens last six hours (developers.strava.com/docs/authentication).
DEFAULT_TOKEN_TTL_S = 6 * 3600
#: Days of history the demo athlete starts with, so the first feedback has a past to judge.
DEFAULT_HISTORY_DAYS = 42
#: Pause before a webhook retry, doubled on each try; Strava retries within seconds.
DEFAULT_WEBHOOK_BACKOFF_S = 1.0


__all__ = ["DEFAULT_DEMO_ATHLETE", "SANDBOX_CLIENT_ID", "SANDBOX_CLIENT_SECRET", "SandboxConfig",
           "SandboxConfigError"]

#: The sandbox's settings fail like the app's: one error type naming the variable.
SandboxConfigError = ConfigError


@dataclass(frozen=True)
class SandboxConfig:
    """Everything the sandbox needs to know at start-up."""

    quota: RateLimits = RateLimits.parse(DEFAULT_RATE_LIMITS)
    windows: RateWindows = RateWindows.parse(DEFAULT_RATE_WINDOWS)
    token_ttl_s: int = DEFAULT_TOKEN_TTL_S
    demo_athlete_id: int = DEFAULT_DEMO_ATHLETE
    seed: int = 1
    history_days: int = DEFAULT_HISTORY_DAYS
    webhook_backoff_s: float = DEFAULT_WEBHOOK_BACKOFF_S

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SandboxConfig:
        """Read STRAVA_RATE_LIMITS, STRAVA_RATE_WINDOWS and the SANDBOX_* variables.

        Raises
        ------
        SandboxConfigError
            When a variable is set to something unusable.
        """
        env = os.environ if env is None else env
        return cls(
            quota=RateLimits.parse(env.get("STRAVA_RATE_LIMITS", DEFAULT_RATE_LIMITS)),
            windows=RateWindows.parse(env.get("STRAVA_RATE_WINDOWS", DEFAULT_RATE_WINDOWS)),
            token_ttl_s=_int(env, "SANDBOX_TOKEN_TTL", DEFAULT_TOKEN_TTL_S),
            demo_athlete_id=_int(env, "SANDBOX_DEMO_ATHLETE", DEFAULT_DEMO_ATHLETE),
            seed=_int(env, "SANDBOX_SEED", 1),
            history_days=_int(env, "SANDBOX_HISTORY_DAYS", DEFAULT_HISTORY_DAYS),
            webhook_backoff_s=_float(env, "SANDBOX_WEBHOOK_BACKOFF", DEFAULT_WEBHOOK_BACKOFF_S),
        )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    return int(_number(env, name, default, int, "a whole number"))


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    return _number(env, name, default, float, "a number")


def _number(env: Mapping[str, str], name: str, default: float,
            kind: type[int] | type[float], what: str) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise SandboxConfigError(f"{name}={text!r} is not {what}") from None
    if value < 0:
        raise SandboxConfigError(f"{name}={text!r} must not be negative")
    return value
