"""Injected failures: server errors, slow answers, late activities, an inactive application."""

from __future__ import annotations

import random
from dataclasses import dataclass, fields
from typing import Any

#: The server errors Strava is seen to answer with under load.
ERROR_STATUSES = (500, 502, 503)
#: How long a slow answer takes unless told otherwise; above Strava's 2 s webhook budget.
DEFAULT_SLOW_S = 5.0


@dataclass(frozen=True)
class Faults:
    """What to break on /api/v3; the defaults break nothing."""

    error_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = DEFAULT_SLOW_S
    not_found_after_create_s: float = 0.0
    inactive: bool = False
    seed: int | None = None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Faults:
        """Faults from the control API's JSON.

        Raises
        ------
        ValueError
            For an unknown key or a value of the wrong type or range.
        """
        known = {f.name for f in fields(cls)}
        unknown = set(body) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        faults = cls(**body)
        for name in ("error_rate", "slow_rate"):
            value = getattr(faults, name)
            if not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ValueError(f"{name} must be a number from 0 to 1")
        for name in ("slow_seconds", "not_found_after_create_s"):
            value = getattr(faults, name)
            if not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name} must be a number of seconds")
        if not isinstance(faults.inactive, bool):
            raise ValueError("inactive must be true or false")
        return faults


class FaultInjector:
    """Draws, per request, whether a configured fault strikes."""

    def __init__(self) -> None:
        self.faults = Faults()
        self._rng = random.Random()

    def configure(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)

    def error_status(self) -> int | None:
        if self.faults.error_rate and self._rng.random() < self.faults.error_rate:
            return self._rng.choice(ERROR_STATUSES)
        return None

    def delay_s(self) -> float:
        if self.faults.slow_rate and self._rng.random() < self.faults.slow_rate:
            return float(self.faults.slow_seconds)
        return 0.0

    def hides(self, created_at: float, now: float) -> bool:
        """Whether an activity created at ``created_at`` still reads as missing at ``now``."""
        return now - created_at < self.faults.not_found_after_create_s
