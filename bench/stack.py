"""A stack environment for benchmarks that shrink Strava's quota in time."""

from __future__ import annotations

import tempfile
from pathlib import Path

from worker.devstack import local_env


def scaled_quota_env(prefix: str, window_s: int, reads: int) -> tuple[Path, dict[str, str]]:
    """A work folder and an environment whose short window lasts ``window_s`` and allows
    ``reads`` reads (twice that overall); the daily quota is out of reach. The sandbox reads
    the same variables, so both sides count the same windows."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    env = local_env(str(workdir / "var"))
    env["STRAVA_RATE_WINDOWS"] = f"{window_s},86400"
    env["STRAVA_RATE_LIMITS"] = f"{2 * reads},1000000;{reads},1000000"
    return workdir, env
