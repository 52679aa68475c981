"""The sandbox's settings, read from the same environment variables as the app."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

#: The sandbox's one registered application (the app's config uses it without credentials).
SANDBOX_CLIENT_ID = 1
#: The secret of that application.
SANDBOX_CLIENT_SECRET = "stridewise-sandbox-secret"
#: Strava's default quota: overall per 15 min and per day; reads per 15 min and per day.
DEFAULT_RATE_LIMITS = "200,2000;100,1000"
#: Strava's windows in seconds: a quarter hour and a day, aligned to the Unix epoch.
DEFAULT_RATE_WINDOWS = "900,86400"
#: Strava's access tokens last six hours (developers.strava.com/docs/authentication).
DEFAULT_TOKEN_TTL_S = 6 * 3600
#: The athlete who connects when a demo does not name one; an id above 2**31 like real ones.
DEFAULT_DEMO_ATHLETE = 3_141_592_653
#: Days of history the demo athlete starts with, so the first feedback has a past to judge.
DEFAULT_HISTORY_DAYS = 42
#: Pause before a webhook retry, doubled on each try; Strava retries within seconds.
DEFAULT_WEBHOOK_BACKOFF_S = 1.0


class SandboxConfigError(ValueError):
    """An environment variable holds a value the sandbox cannot use; the message names it."""


@dataclass(frozen=True)
class Quota:
    """Requests allowed per short window and per day, overall and for reads."""

    overall_short: int
    overall_daily: int
    read_short: int
    read_daily: int

    @classmethod
    def parse(cls, text: str) -> Quota:
        try:
            overall, read = text.split(";")
            o_short, o_daily = (int(v) for v in overall.split(","))
            r_short, r_daily = (int(v) for v in read.split(","))
        except ValueError:
            raise SandboxConfigError(
                f"STRAVA_RATE_LIMITS={text!r}: expected 'overall15,overallDay;read15,readDay'"
            ) from None
        if min(o_short, o_daily, r_short, r_daily) <= 0:
            raise SandboxConfigError(f"STRAVA_RATE_LIMITS={text!r}: limits must be positive")
        return cls(o_short, o_daily, r_short, r_daily)


@dataclass(frozen=True)
class Windows:
    """Lengths in seconds of the short and the daily quota window."""

    short_s: int
    daily_s: int

    @classmethod
    def parse(cls, text: str) -> Windows:
        try:
            short, daily = (int(v) for v in text.split(","))
        except ValueError:
            raise SandboxConfigError(
                f"STRAVA_RATE_WINDOWS={text!r}: expected 'short,daily'"
            ) from None
        if not 0 < short <= daily:
            raise SandboxConfigError(f"STRAVA_RATE_WINDOWS={text!r}: need 0 < short <= daily")
        return cls(short, daily)


@dataclass(frozen=True)
class SandboxConfig:
    """Everything the sandbox needs to know at start-up."""

    quota: Quota = Quota.parse(DEFAULT_RATE_LIMITS)
    windows: Windows = Windows.parse(DEFAULT_RATE_WINDOWS)
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
            quota=Quota.parse(env.get("STRAVA_RATE_LIMITS", DEFAULT_RATE_LIMITS)),
            windows=Windows.parse(env.get("STRAVA_RATE_WINDOWS", DEFAULT_RATE_WINDOWS)),
            token_ttl_s=_int(env, "SANDBOX_TOKEN_TTL", DEFAULT_TOKEN_TTL_S),
            demo_athlete_id=_int(env, "SANDBOX_DEMO_ATHLETE", DEFAULT_DEMO_ATHLETE),
            seed=_int(env, "SANDBOX_SEED", 1),
            history_days=_int(env, "SANDBOX_HISTORY_DAYS", DEFAULT_HISTORY_DAYS),
            webhook_backoff_s=_float(env, "SANDBOX_WEBHOOK_BACKOFF", DEFAULT_WEBHOOK_BACKOFF_S),
        )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise SandboxConfigError(f"{name}={text!r} is not a whole number") from None
    if value < 0:
        raise SandboxConfigError(f"{name}={text!r} must not be negative")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SandboxConfigError(f"{name}={text!r} is not a number") from None
    if value < 0:
        raise SandboxConfigError(f"{name}={text!r} must not be negative")
    return value
