"""Strava's quota settings, STRAVA_RATE_LIMITS and STRAVA_RATE_WINDOWS.

The app and the sandbox Strava read the same variables, so both parse them here.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Strava's default application quota: overall 15 min, overall day; read 15 min, read day.
DEFAULT_RATE_LIMITS = "200,2000;100,1000"
#: Strava's windows: a quarter hour and a day, both aligned to the Unix epoch.
DEFAULT_RATE_WINDOWS = "900,86400"


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message names the variable."""


@dataclass(frozen=True)
class RateLimits:
    """The application's quota: requests per short window and per day."""

    overall_short: int
    overall_daily: int
    read_short: int
    read_daily: int

    @classmethod
    def parse(cls, text: str) -> RateLimits:
        try:
            overall, read = text.split(";")
            o15, oday = (int(v) for v in overall.split(","))
            r15, rday = (int(v) for v in read.split(","))
        except ValueError:
            raise ConfigError(
                f"STRAVA_RATE_LIMITS={text!r}: expected 'overall15,overallDay;read15,readDay'"
            ) from None
        if min(o15, oday, r15, rday) <= 0:
            raise ConfigError(f"STRAVA_RATE_LIMITS={text!r}: every limit must be positive")
        return cls(o15, oday, r15, rday)


@dataclass(frozen=True)
class RateWindows:
    """Lengths in seconds of Strava's short and daily windows."""

    short: int
    daily: int

    @classmethod
    def parse(cls, text: str) -> RateWindows:
        try:
            short, daily = (int(v) for v in text.split(","))
        except ValueError:
            raise ConfigError(f"STRAVA_RATE_WINDOWS={text!r}: expected 'short,daily'") from None
        if not 0 < short <= daily:
            raise ConfigError(f"STRAVA_RATE_WINDOWS={text!r}: need 0 < short <= daily")
        return cls(short, daily)
