"""What the classifier's rules share: the run under judgement, the athlete's yardsticks,
and the runner's words (paces, distances, heights in the athlete's units and language) for
the evidence.

Evidence is written through the athlete's :class:`~analysis.voice.Voice`: whole phrases with
named placeholders, so a language orders them its own way. Heart-rate figures (shares of
the maximum, bpm) and load figures (ratios to the usual) appear only when the voice shows
numbers; without them each phrase still says what the data showed, in words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.efforts import Piece
from analysis.model import Activity, FloatArray
from analysis.plausibility import HeartRateDoubt
from analysis.profile import AthleteProfile
from analysis.segments import Features
from analysis.units import format_duration
from analysis.voice import DEFAULT, Voice

#: Tempo and repeats need the heart rate to reach 85 % of HRmax somewhere (Garmin zone 4).
HARD_PEAK_HR_FRAC = 0.85
#: Without heart rate, hard running is at least 5 % faster than the athlete's easy pace.
HARD_SPEED_OVER_EASY = 1.05
#: How far an assumed maximum heart rate may lie from a runner's own, in bpm: one standard
#: deviation of the age formulas (about 10 bpm; Robergs and Landwehr 2002).
ASSUMED_MAX_HR_SPREAD = 10.0
#: Seconds after an effort in which the heart rate still answers it (10-30 s).
HR_LAG_S = 30.0


@dataclass(frozen=True)
class Case:
    """One run under judgement, the features read from it, and the voice to speak in."""

    activity: Activity
    profile: AthleteProfile
    features: Features
    voice: Voice = DEFAULT

    def pace(self, speed: float) -> str:
        return self.voice.pace(speed)

    def paces(self, speeds: Iterable[float]) -> str:
        """The range of paces of ``speeds`` (m/s), fastest first."""
        values = list(speeds)
        return self.voice.pace_range(min(values), max(values))

    def distance(self, metres: float) -> str:
        return self.voice.distance(metres)

    def summary(self) -> str:
        """``10.0 km at 5:00/km``."""
        return distance_pace(self.activity, self.voice)

    def with_heart(self, text: str, fraction: float | None, up_to: bool = False) -> str:
        """``text, HR 92 % of max`` (``HR up to`` when ``up_to``); ``text`` alone without a
        heart rate or when the athlete keeps heart-rate figures private."""
        return with_heart(text, fraction, self.profile, self.features.max_hr, self.voice, up_to)

    def of_max_range(self, low: float, high: float) -> str:
        """``87-96 % of max HR``, or one share when both round alike."""
        low_pct, high_pct = round(100 * low), round(100 * high)
        share = f"{low_pct} %" if low_pct == high_pct else f"{low_pct}-{high_pct} %"
        text = self.voice.gettext("{share} of max HR").format(share=share)
        return assumed_max(text, self.profile, self.features.max_hr, self.voice)


def with_heart(text: str, fraction: float | None, profile: AthleteProfile, max_hr: float,
               voice: Voice, up_to: bool = False) -> str:
    """``text`` and the heart rate as a share of ``max_hr``, if there is one to show."""
    if fraction is None or not voice.numbers:
        return text
    share = share_of_max(percent(fraction), profile, max_hr, voice)
    if up_to:
        return voice.gettext("{text}, HR up to {share}").format(text=text, share=share)
    return voice.gettext("{text}, HR {share}").format(text=text, share=share)


def share_of_max(share: str, profile: AthleteProfile, max_hr: float, voice: Voice) -> str:
    """``{share} of max``, saying which maximum when it is not the athlete's own.

    Parameters:
        share: the share already written, ``92 %``.
        max_hr: the maximum the share was computed against.
    """
    text = voice.gettext("{share} of max").format(share=share)
    return assumed_max(text, profile, max_hr, voice)


def assumed_max(text: str, profile: AthleteProfile, max_hr: float, voice: Voice) -> str:
    """``text``, and which maximum it is a share of when not the athlete's own: the
    population's default (``assumed 190``), or that default raised by what this run showed."""
    if profile.hr_source != "defaults":
        return text
    if round(max_hr) > round(profile.max_hr):
        return voice.gettext("{text} (max {bpm}, from this run)").format(
            text=text, bpm=round(max_hr))
    return voice.gettext("{text} (assumed {bpm})").format(text=text, bpm=round(profile.max_hr))


def typical_run(activity: Activity, profile: AthleteProfile, voice: Voice) -> str:
    """How a long run compares with the athlete's typical run; without a run history, the
    population's default it was judged against. The ratio is a training-load figure: an
    athlete who keeps those private reads only that the run was longer than usual."""
    if profile.pace_source == "defaults":
        return voice.gettext("long by the default {distance} / {duration} (no run history)"
                             ).format(distance=voice.distance(profile.long_run_m),
                                      duration=voice.duration(profile.long_run_s))
    if not voice.numbers:
        return voice.gettext("longer than your typical run")
    ratio = max(activity.distance_m / profile.typical_run_m,
                activity.moving_s / profile.typical_run_s)
    return voice.gettext("{ratio}x a typical run").format(ratio=voice.number(ratio))


def distance_pace(activity: Activity, voice: Voice) -> str:
    return voice.gettext("{distance} at {pace}").format(
        distance=voice.distance(activity.distance_m), pace=voice.pace(activity.speed))


def doubt_text(doubt: HeartRateDoubt, voice: Voice) -> str:
    """Why the heart rate was set aside, in the athlete's words."""
    if doubt.bpm is None:
        return voice.gettext("the heart rate follows the cadence (an optical sensor locked "
                             "onto it)")
    if doubt.held_s is not None:
        if not voice.numbers:
            return voice.gettext("it held one reading for minutes on end, a sensor that lost "
                                 "contact")
        return voice.gettext("it read {bpm} bpm for {duration} without a change, a sensor "
                             "that lost contact").format(
            bpm=round(doubt.bpm), duration=format_duration(doubt.held_s))
    if doubt.assumed_pace:
        if not voice.numbers:
            return voice.gettext("a race or a sensor error: a heart rate near threshold, at a "
                                 "pace slower than most runners' easy runs; your run history "
                                 "will tell")
        return voice.gettext("a race or a sensor error: {bpm} bpm at a pace slower than most "
                             "runners' easy runs; your run history will tell").format(
            bpm=round(doubt.bpm))
    if not voice.numbers:
        return voice.gettext("a median heart rate near threshold at an easy pace is a sensor "
                             "reading, not effort")
    return voice.gettext("a median heart rate of {bpm} bpm at an easy pace is a sensor "
                         "reading, not effort").format(bpm=round(doubt.bpm))


def hard(bouts: Iterable[Piece], case: Case, *, repeated: bool = False) -> bool:
    """Heart rate reached the hard zone, or (without it) the bouts beat easy pace.

    Parameters:
        repeated: the bouts are repeats whose structure the pace already shows. Against an
            assumed maximum (no history, none given) their heart rate need only reach the
            hard zone of a maximum ASSUMED_MAX_HR_SPREAD lower: the population's figure
            misses a runner's own by that much either way, and 4 x 800 m at 4:07-4:17/km on
            400 m jogs peaking at 161 bpm, 85 % of the assumed 190, read as an easy run
            (tests/data/blind-2026-12i). The repeats themselves must then reach it: a peak
            reached on a hiked climb says nothing of the pickups run at 118-135 bpm
            elsewhere (tests/data/blind-2026-12c's hs-3981100861)."""
    pieces = list(bouts)
    speed = float(np.median([b.pace_speed for b in pieces]))
    profile, peak = case.profile, case.features.peak_hr_frac
    fast = speed >= HARD_SPEED_OVER_EASY * profile.easy_speed
    if peak is None:
        return fast
    if peak >= HARD_PEAK_HR_FRAC:
        return fast or not profile.own_paces
    if not (repeated and fast and profile.hr_source == "defaults"):
        return False
    max_hr = case.features.max_hr
    return _peak_in(pieces, case.activity) >= HARD_PEAK_HR_FRAC * (max_hr - ASSUMED_MAX_HR_SPREAD)


def _peak_in(bouts: Sequence[Piece], activity: Activity) -> float:
    """The highest heart rate of the bouts, each with the HR_LAG_S after it in which the heart
    answers its effort; the highest of their averages without streams."""
    streams = activity.streams
    if streams is None or streams.heartrate is None:
        return max((b.hr for b in bouts if math.isfinite(b.hr)), default=0.0)
    time, heartrate = streams.time, streams.heartrate
    peaks = [heartrate[(time >= b.start_s) & (time <= b.start_s + b.seconds + HR_LAG_S)]
             for b in bouts]
    finite = [float(np.nanmax(p)) for p in peaks if np.any(np.isfinite(p))]
    return max(finite, default=0.0)


def faster_than_usual(activity: Activity, profile: AthleteProfile) -> bool:
    """With a pace history, heart rate alone cannot make a run hard: a run at the
    athlete's everyday pace is an everyday run, whatever a misjudged maximum says."""
    if not profile.own_paces:
        return True
    return activity.speed >= HARD_SPEED_OVER_EASY * profile.easy_speed


def about(seconds: float) -> float:
    """Round a measured duration the way a runner says it: 5 s steps, then half minutes."""
    step = 5.0 if seconds < 90 else 30.0
    return step * round(seconds / step)


def percent(fraction: float) -> str:
    return f"{round(100 * fraction)} %"


def cv(values: FloatArray) -> float:
    """Coefficient of variation; infinite for an empty or zero-mean sample."""
    mean = float(np.mean(values)) if values.size else 0.0
    return float(np.std(values)) / mean if mean > 0 else math.inf
