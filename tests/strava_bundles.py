"""Real recordings as the worker sees them: Strava JSON bundles built from files.

Strava turns an upload into a DetailedActivity (totals, laps, kilometre splits) and
streams of the samples the device recorded. The sandbox's fixtures give the
DetailedActivity; the streams keep only the seconds the device recorded, as
Strava's do: a paused watch leaves a jump in the time stream, not a run of
invented samples.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.model import Activity
from worker.sandbox.fixtures import detailed_activity


def strava_bundle(activity: Activity, activity_id: int = 1, athlete_id: int = 1) -> dict[str, Any]:
    """``{"activity": <DetailedActivity>, "streams": {...}}`` for a parsed file."""
    detail, streams = detailed_activity(activity, activity_id, athlete_id)
    recorded = _recorded_seconds(activity)
    if recorded is not None:
        streams = {key: [values[i] for i in recorded] for key, values in streams.items()}
    return {"activity": detail, "streams": {key: {"data": v} for key, v in streams.items()}}


def _recorded_seconds(activity: Activity) -> list[int] | None:
    """Seconds with a sample: moving, or with any sensor speaking."""
    s = activity.streams
    if s is None:
        return None
    heard = s.moving.copy()
    for channel in (s.heartrate, s.altitude, s.cadence, s.power):
        if channel is not None:
            heard |= np.isfinite(channel)
    return [int(i) for i in np.flatnonzero(heard)]
