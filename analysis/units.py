"""Formatting of paces, durations and distances for feedback a runner reads."""

from __future__ import annotations

import math

#: Metres in a statute mile.
METRES_PER_MILE = 1609.344
#: Metres in a foot.
METRES_PER_FOOT = 0.3048
#: Slower than a day per kilometre is not a pace anybody moved at.
MAX_PACE_S = 86_400


def format_pace(speed_mps: float, imperial: bool = False) -> str:
    """Pace as minutes:seconds per kilometre (or mile), e.g. ``4:13/km``.

    Returns ``--`` for a speed that cannot be a pace (zero, negative, NaN).
    """
    if not math.isfinite(speed_mps) or speed_mps <= 0:
        return "--"
    unit_m, unit = (METRES_PER_MILE, "mi") if imperial else (1000.0, "km")
    if unit_m / speed_mps > MAX_PACE_S:
        return "--"
    seconds = round(unit_m / speed_mps)
    return f"{seconds // 60}:{seconds % 60:02d}/{unit}"


def format_pace_range(low_mps: float, high_mps: float, imperial: bool = False) -> str:
    """Two paces as one range, fastest first, e.g. ``3:39-4:13/km``."""
    fast, slow = max(low_mps, high_mps), min(low_mps, high_mps)
    fast_text = format_pace(fast, imperial).split("/")[0]
    slow_text = format_pace(slow, imperial)
    return slow_text if fast_text == slow_text.split("/")[0] else f"{fast_text}-{slow_text}"


def format_duration(seconds: float) -> str:
    """A duration as a runner says it: ``45 s``, ``42 min``, ``1:05 h``."""
    if not math.isfinite(seconds) or seconds < 0:
        return "--"
    total = round(seconds)
    if total < 90:
        return f"{total} s"
    if total < 3600:
        minutes, rest = divmod(total, 60)
        return f"{minutes} min" if rest < 15 or rest > 45 else f"{minutes}:{rest:02d} min"
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d} h"


def format_clock(seconds: float) -> str:
    """A session's time as a runner reads a race result, to the second: ``47:08``,
    ``1:07:08``."""
    if not math.isfinite(seconds) or seconds < 0:
        return "--"
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_distance(metres: float, imperial: bool = False, small_units: bool = True) -> str:
    """A distance with one decimal, ``10.0 km`` or ``6.2 mi``; short ones in metres or feet
    unless ``small_units`` is False (a weekly figure reads in kilometres or miles)."""
    if not math.isfinite(metres) or metres < 0:
        return "--"
    if imperial:
        miles = metres / METRES_PER_MILE
        if miles >= 0.1 or not small_units:
            return f"{miles:.1f} mi"
        return f"{round(metres / METRES_PER_FOOT)} ft"
    return f"{metres / 1000:.1f} km" if metres >= 1000 or not small_units else f"{round(metres)} m"


def format_elevation(metres: float, imperial: bool = False) -> str:
    """A height difference, ``25 m`` or ``82 ft``."""
    if not math.isfinite(metres):
        return "--"
    return f"{round(metres / METRES_PER_FOOT)} ft" if imperial else f"{round(metres)} m"
