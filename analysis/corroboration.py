"""Whether a stretch of fast running happened, or is the recording's noise.

Phone GPS wanders: its speed swings by a metre per second for ten or twenty seconds and
back, with the runner's pace unchanged. Such a swing looks like a surge in the speed
alone, so a candidate bout needs witnesses: it must gain ground on the jogging pace, and
move the heart rate where one was recorded (speed noise leaves the heart alone), or
without one stand out from the session's own speed noise.
"""

from __future__ import annotations

import math

import numpy as np

from analysis.climbs import moving_average
from analysis.model import BoolArray, FloatArray

#: Window (s) of the local mean the noise is measured against: GPS wander swings over
#: 10-30 s (measured on the phone recordings of shared/data/history), while the surges
#: and rests of a workout last longer and barely move a 31 s residual.
NOISE_WINDOW_S = 31
#: MAD to standard deviation for normally distributed noise.
MAD_TO_SD = 1.4826
#: A bout stands out from the noise at this many standard deviations above the jogging
#: pace (a 3-sigma detection). Measured: the residual's sigma is 0.04-0.27 m/s on the
#: watch files of shared/data/runs, 0.10-0.41 m/s (5th-95th percentile) on the phone
#: recordings of shared/data/history.
NOISE_CONTRAST = 3.0
#: With the heart rate's word for it, a bout need only stand this many standard
#: deviations above the jogging pace (a 2-sigma swing happens every minute or two by
#: chance, but not together with a heart-rate rise).
HR_NOISE_CONTRAST = 2.0
#: A bout gains at least this many metres on the jogging pace: three times the 5 m
#: horizontal error of consumer GPS in open sky, so a position jump out and back is
#: not a surge. An 80-100 m stride gains 20-30 m on an easy jog.
MIN_GAIN_M = 15.0
#: Heart rate is smoothed over this many seconds before its rise is read (optical and
#: strap readings wobble by 1-3 bpm from one second to the next).
HR_SMOOTH_S = 5
#: The heart rate before a bout is read over this many seconds ...
HR_BEFORE_S = 10
#: ... and its answer up to this many seconds after the bout ended: the fast phase of
#: heart-rate kinetics (vagal withdrawal) acts within 10-20 s of an effort's start.
HR_AFTER_S = 20
#: An effort raises the heart rate by at least this much even when it lasts 10 s
#: (vagal withdrawal alone adds 5-10 bpm); a GPS swing leaves it where it was.
HR_RISE_BPM = 5.0
#: Heart rate climbs for the first minutes of any run whatever the pace (cardiac
#: on-kinetics reach steady state in 2-3 min), so a bout starting before this (s)
#: is judged by speed alone.
HR_WARM_UP_S = 180
#: Share of a bout's heart-rate window that must hold readings for the heart rate to
#: testify; with less, the bout is judged by speed alone.
HR_COVERAGE = 0.8
#: Repeats and their recoveries end this far apart in heart rate, at least: the heart rate
#: falls by 12 bpm or more in the first minute after an effort (Cole et al. 1999, N Engl J
#: Med 341:1351), less on a jog than standing. Measured at the late half of each repeat and
#: each recovery: 18-19 bpm on interval sessions of tests/data (6 x 800 m on 400 m jogs,
#: 5 x 1 km on 2 min jogs), 6 bpm on shared/data/real's trackeR 10 km race, whose speed swings
#: minute by minute while the heart rate barely answers.
HR_FALL_BPM = 10.0


def speed_noise(gap: FloatArray, running: BoolArray) -> float:
    """Robust standard deviation (m/s) of the speed's short swings while running.

    Parameters:
        gap: smoothed grade-adjusted speed per sample.
        running: boolean mask of the samples where the athlete ran.
    """
    residual = (gap - moving_average(gap, NOISE_WINDOW_S))[running]
    if residual.size == 0:
        return 0.0
    return MAD_TO_SD * float(np.median(np.abs(residual - np.median(residual))))


def real_bouts(ranges: list[tuple[int, int]], gap: FloatArray, heartrate: FloatArray | None,
               jog: float, noise: float) -> list[tuple[int, int]]:
    """The candidate bouts (sample ranges) that their witnesses confirm."""
    hr = _smooth(heartrate)
    confirmed = []
    for a, b in ranges:
        excess = gap[a:b] - jog
        if float(np.sum(excess)) < MIN_GAIN_M:
            continue
        rise = _hr_rise(hr, a, b)
        contrast = float(np.mean(excess)) / noise if noise > 0 else np.inf
        if (contrast >= NOISE_CONTRAST if rise is None
                else rise >= HR_RISE_BPM and contrast >= HR_NOISE_CONTRAST):
            confirmed.append((a, b))
    return confirmed


def heart_follows(heartrate: FloatArray | None, bouts: list[tuple[int, int]],
                  gaps: list[tuple[int, int]]) -> bool:
    """Whether the heart rate rises in the bouts (sample ranges) and falls in the gaps
    between them: over the late half of each, read HR_AFTER_S later (the heart answers an
    effort within 10-20 s), the bouts' median stands HR_FALL_BPM above the gaps'. Without
    readings there is no witness against the bouts."""
    hr = _smooth(heartrate)
    if hr is None:
        return True
    high = [x for x in (_late_heart(hr, a, b) for a, b in bouts) if math.isfinite(x)]
    low = [x for x in (_late_heart(hr, a, b) for a, b in gaps) if math.isfinite(x)]
    if not high or not low:
        return True
    return float(np.median(high) - np.median(low)) >= HR_FALL_BPM


def _late_heart(hr: FloatArray, a: int, b: int) -> float:
    """The mean heart rate over the late half of samples a..b, read HR_AFTER_S later."""
    window = hr[(a + b) // 2 + HR_AFTER_S:b + HR_AFTER_S]
    return float(np.nanmean(window)) if np.isfinite(window).any() else math.nan


def _hr_rise(hr: FloatArray | None, a: int, b: int) -> float | None:
    """How far the heart rate rose over a bout; None when it cannot testify."""
    if hr is None or a < HR_WARM_UP_S:
        return None
    before = hr[max(a - HR_BEFORE_S, 0):a + 1]
    during = hr[a:min(b + HR_AFTER_S, hr.size)]
    window = np.concatenate((before, during))
    if np.isfinite(window).mean() < HR_COVERAGE or not np.isfinite(before).any():
        return None
    return float(np.nanmax(during) - np.nanmin(before))


def _smooth(heartrate: FloatArray | None) -> FloatArray | None:
    """Heart rate smoothed over HR_SMOOTH_S, NaN where the sensor was silent."""
    if heartrate is None:
        return None
    finite = np.isfinite(heartrate)
    if finite.sum() < 2:
        return None
    index = np.arange(heartrate.size)
    filled = np.interp(index, index[finite], heartrate[finite])
    smooth = moving_average(np.asarray(filled, dtype=np.float64), HR_SMOOTH_S)
    return np.asarray(np.where(finite, smooth, np.nan), dtype=np.float64)
