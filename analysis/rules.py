"""The rules that read a run's shape as a whole: a race-like even effort, hill repeats,
a sustained tempo, a progression, and the steady runs judged against the athlete.

Each rule returns a classification with its evidence, or None when the run does not fit.
"""

from __future__ import annotations

import numpy as np

from analysis import claims, climbs, segments
from analysis.efforts import Piece, runs_of
from analysis.evidence import (
    HARD_PEAK_HR_FRAC,
    HARD_SPEED_OVER_EASY,
    Case,
    about,
    cv,
    distance_pace,
    faster_than_usual,
    hard,
    percent,
    share_of_max,
    typical_run,
    with_heart,
)
from analysis.model import Activity, Classification, Workout
from analysis.profile import AthleteProfile
from analysis.units import format_duration
from analysis.voice import DEFAULT, Voice

#: Confidence of a clear structure (repeats in laps or streams, a tempo block).
CLEAR = 0.85
#: Confidence of a steady run judged against a known profile.
LIKELY = 0.7
#: Confidence of a judgement that rests on population defaults or on thin data.
GUESS = 0.5
#: A run is a recovery run up to this share of the athlete's typical duration.
RECOVERY_SHORT_FACTOR = 0.75
#: Recovery runs stay at the bottom of Daniels' E zone (65-79 % of HRmax), where easy
#: runs sit in its middle; Garmin calls under 60 % "warm-up/recovery".
RECOVERY_HR_FRAC = 0.68
#: Without heart rate, recovery pace is at least 8 % slower than easy pace (Daniels'
#: recovery jogs sit at the slow end of E pace).
RECOVERY_SPEED_FRAC = 0.92
#: Race distances in m: track, road and the marathon family.
RACE_DISTANCES = (1609.344, 3000.0, 5000.0, 8000.0, 10000.0, 15000.0, 16093.44, 21097.5, 42195.0)
#: GPS distance of a race is within a few per cent of the official one: at most this much
#: shorter ...
RACE_DISTANCE_SHORT = 0.03
#: ... and at most this much longer. A course is measured on the shortest route a runner can
#: take; the runner's watch records the route they ran (the bends not cut, the weaving past
#: others) and its own wander, so it reads races long, seldom short: a 5 km raced in 17:59
#: recorded as 5.18 km (tests/data/blind-2026-12k), 3.6 % over.
RACE_DISTANCE_LONG = 0.05
#: Kilometre splits of an even race vary by less than this coefficient of variation
#: (elite 10 km splits vary 1-3 %; a fading or surging run far more).
RACE_SPLIT_CV = 0.05
#: A race is run through: road racers do not stand still (the races of shared/data/real and
#: tests/data/heldout stop for 0-34 s in all). A standstill or walk of a minute or more
#: between the first and the last running (:data:`analysis.claims.BREAK_S`, the break that
#: also keeps "all the way" off a headline) makes an even hard run a training run with
#: stops at lights (issue 20: a "race" with a 2 min 47 s standstill and 9.5 min of stops).
#: Trail races and runs of this many seconds or more are the exception: at the aid
#: stations of trail races and ultras runners stand for minutes to drink, eat and refill,
#: and past three hours (a marathon's back half, any ultra) they walk through them too.
RACE_AID_STATIONS_S = 3 * 3600.0
#: Sports whose races stop at aid stations.
RACE_AID_STATION_SPORTS = frozenset({"TrailRun"})
#: A race is run at 85 % of HRmax or more all the way (half marathon ~87 %, 10 km ~92 %).
RACE_HR_FRAC = 0.85
#: Without heart rate, a race is at least this share of threshold speed (Daniels:
#: half-marathon pace is about 97 % of T pace, 10 km pace 103 %).
RACE_SPEED_FRAC = 0.97
#: Bouts of a tempo block last at least this long in s (Daniels' cruise intervals: 5-15 min).
TEMPO_BLOCK_S = 8 * 60.0
#: At most this many blocks make a tempo (2 x 15 min); more are intervals.
TEMPO_MAX_BLOCKS = 2
#: A tempo block moves for at least this share of its time: one that stood longer was not run
#: continuously. Laps pressed by hand around a 27 min standstill made "42:30 min continuous at
#: 5:14/km" of a 15 min warm-up (tests/data/blind-2026-12i).
TEMPO_MOVING_SHARE = 0.9
#: The blocks hold at least this share of the hard running.
TEMPO_SHARE = 0.7
#: Inside a long run, a tempo is the session's hard running: its blocks average at least
#: this share of HRmax more heart rate than the running around them, where that running
#: lasts a block's length (TEMPO_BLOCK_S) or more. Half a training zone (the five heart-rate
#: zones are each 10 % of HRmax wide; easy running sits two zones below threshold): over a
#: long run the terrain and cardiac drift change the pace at one effort, and a stretch no
#: harder than the rest of the run owes its speed to a descent or to fresh legs
#: (tests/data/blind-2026-12f: a long run's first 62 min downhill at 5:58/km and HR 155,
#: then 47 min back up at 7:15/km and HR 162, read as "1:02 h continuous"). Outside long runs
#: the pace carries a tempo whose heart rate an assumed maximum misjudges
#: (tests/data/real: elevate-sloatsburg.fit).
TEMPO_OVER_REST_HR_FRAC = 0.05
#: A tempo block that is no faster over the ground than the run around it is fast only
#: once grade-adjusted: a long climb. It is a tempo (an uphill one) only if the heart rate,
#: where there is one, averages at least this share of HRmax over it: threshold running
#: sits at 85-92 % (Daniels' T zone, Garmin's zone 4), less the minute or two the heart rate
#: needs to rise at a block's start. Climbs at 76 % of max are the hills of an easy trail
#: run (tests/data/blind-2026-12d: two 13 min climbs read as "2 x 13:30 min" of tempo).
TEMPO_BLOCK_HR_FRAC = 0.8
#: A warm-up shorter than this (s) is not worth naming in a tempo's evidence.
NAMED_WARM_UP_S = 180.0
#: Kilometres at this share of threshold speed or faster are at tempo pace (Daniels: T
#: pace is run within a few seconds per kilometre of threshold; half-marathon pace, 97 %,
#: is the slow end).
TEMPO_PACE_FRAC = 0.97
#: A progression run has at least this many kilometre splits.
PROGRESSION_MIN_SPLITS = 6
#: ... its last third at least this much faster than its first (Daniels' E to T pace
#: is 20-30 %; half of that counts as a finish built up to threshold).
PROGRESSION_RATIO = 1.12
#: ... and no kilometre falls back below this share of the fastest before it (a
#: fartlek's kilometres go up and down; a progression only gets faster).
PROGRESSION_SLIP = 0.95
#: Final kilometres slower than this share of the fastest are the cool-down ...
COOL_DOWN_FRAC = 0.9
#: ... of at most this many kilometres.
COOL_DOWN_MAX_KM = 2


def steady(activity: Activity, profile: AthleteProfile, hr_frac: float | None,
           confidence: float, voice: Voice = DEFAULT,
           max_hr: float | None = None) -> Classification:
    """A run without structure: long, recovery or easy by the athlete's yardsticks.

    Parameters:
        max_hr: the maximum ``hr_frac`` is a share of (default: the profile's).
    """
    _ = voice.gettext
    moving = activity.moving_s
    summary = distance_pace(activity, voice)
    if is_long(activity, profile):
        return Classification(Workout.LONG, confidence, _("{summary}, {typical}").format(
            summary=summary, typical=typical_run(activity, profile, voice)))

    def heart(text: str) -> str:
        return with_heart(text, hr_frac, profile, max_hr or profile.max_hr, voice)

    if moving <= RECOVERY_SHORT_FACTOR * profile.typical_run_s:
        slow = (hr_frac < RECOVERY_HR_FRAC if hr_frac is not None
                else activity.speed < RECOVERY_SPEED_FRAC * profile.easy_speed)
        if slow:
            return Classification(Workout.RECOVERY, confidence, heart(
                _("{summary}, short and gentle").format(summary=summary)))
    return Classification(Workout.EASY, confidence,
                          heart(_("{summary}, steady").format(summary=summary)))


def is_long(activity: Activity, profile: AthleteProfile) -> bool:
    """Long for this athlete by time, or by distance once their paces are known: without
    them, 15 km is an hour for one runner and two for another."""
    by_distance = profile.own_paces and activity.distance_m >= profile.long_run_m
    return by_distance or activity.moving_s >= profile.long_run_s


def race(case: Case) -> Classification | None:
    activity, profile, f = case.activity, case.profile, case.features
    near = [d for d in RACE_DISTANCES
            if -RACE_DISTANCE_SHORT * d <= activity.distance_m - d <= RACE_DISTANCE_LONG * d]
    splits = f.split_speeds
    if not near or splits.size < 3 or cv(splits) > RACE_SPLIT_CV:
        return None
    if not run_through(activity):
        return None
    is_hard = (f.avg_hr_frac >= RACE_HR_FRAC if f.avg_hr_frac is not None
               else activity.speed >= RACE_SPEED_FRAC * profile.threshold_speed)
    if not is_hard or not faster_than_usual(activity, profile):
        return None
    _ = case.voice.gettext
    values = {"summary": case.summary(), "paces": case.paces(splits.tolist())}
    if f.avg_hr_frac is None or not case.voice.numbers:
        text = _("{summary}, even splits ({paces}), hard all the way").format(**values)
    else:
        share = share_of_max(percent(f.avg_hr_frac), case.profile, f.max_hr, case.voice)
        text = _("{summary}, even splits ({paces}), HR {share} all the way").format(
            share=share, **values)
    return Classification(Workout.RACE, GUESS, text)


def run_through(activity: Activity) -> bool:
    """No standstill or walk of :data:`analysis.claims.BREAK_S` or more, as a road race is
    run; any stops at all in a trail race or a run of three hours or more (aid stations)."""
    aid_stations = (activity.sport in RACE_AID_STATION_SPORTS
                    or activity.moving_s >= RACE_AID_STATIONS_S)
    return aid_stations or claims.pacing(activity).unbroken()


def hills(case: Case) -> Classification | None:
    found = case.features.hills
    if not found:
        return None
    return Classification(Workout.HILLS, CLEAR, climbs.describe(found, case.voice))


def tempo_block(case: Case) -> Classification | None:
    bouts = case.features.efforts.bouts
    blocks = [b for b in bouts
              if b.seconds >= TEMPO_BLOCK_S and b.moving_s >= TEMPO_MOVING_SHARE * b.seconds]
    work = sum(b.seconds for b in blocks)
    if not 0 < len(blocks) <= TEMPO_MAX_BLOCKS or work < segments.TEMPO_MIN_S:
        return None
    if work < TEMPO_SHARE * sum(b.seconds for b in bouts) or not hard(blocks, case):
        return None
    if not _near_threshold(blocks, case) or not _harder_than_around(blocks, case):
        return None
    if blocks[0].start_s < NAMED_WARM_UP_S and is_long(case.activity, case.profile):
        return None  # a long run's first hour at its start pace, then slower: a fade
    _ = case.voice.gettext
    pace = case.paces(b.pace_speed for b in blocks)
    if len(blocks) == 1:
        warm, duration = blocks[0].start_s, format_duration(about(work))
        if warm >= NAMED_WARM_UP_S:
            text = _("{duration} continuous at {pace} after {warm_up} warm-up").format(
                duration=duration, pace=pace, warm_up=format_duration(warm))
        else:
            text = _("{duration} continuous at {pace}").format(duration=duration, pace=pace)
    else:
        text = _("{count} x {duration} at {pace}").format(
            count=len(blocks), duration=format_duration(about(work / len(blocks))), pace=pace)
    return Classification(Workout.TEMPO, CLEAR, _heart(text, blocks, case))


def hr_tempo(case: Case) -> Classification | None:
    """A tempo seen in the heart rate alone, if the pace and the duration allow one: over a
    long run the heart rate drifts up at an even pace (cardiac drift, 10-20 bpm over 1-2 h:
    Coyle & Gonzalez-Alonso 2001), and threshold heart rate at a jog is a misread maximum or
    a sensor, not a tempo."""
    block, activity, profile = case.features.hr_block, case.activity, case.profile
    if block is None or not faster_than_usual(activity, profile) or is_long(activity, profile):
        return None
    if block.speed < profile.easy_speed and not profile.own_paces:
        return None
    _, duration = case.voice.gettext, format_duration(block.seconds)
    if case.voice.numbers:
        text = _("{duration} continuous at {share}").format(
            duration=duration, share=case.of_max_range(block.low_frac, block.high_frac))
    else:
        text = _("{duration} continuous in the hard heart-rate zone").format(duration=duration)
    return Classification(Workout.TEMPO, LIKELY, text)


def threshold_run(case: Case) -> Classification | None:
    """A sustained run at threshold pace: kilometres in a row at tempo pace for the athlete
    (or the population's threshold, then with heart rate in the hard zone to say so), in a
    run too short to be a long run."""
    activity, profile, f = case.activity, case.profile, case.features
    if is_long(activity, profile):
        return None
    fast = f.split_speeds >= TEMPO_PACE_FRAC * profile.threshold_speed
    start, end = max(runs_of(fast), key=lambda r: r[1] - r[0], default=(0, 0))
    block = f.split_speeds[start:end]
    seconds = float(np.sum(1000.0 / block)) if block.size else 0.0
    if seconds < segments.TEMPO_MIN_S:
        return None
    trusted = profile.own_paces
    if not trusted and (f.peak_hr_frac is None or f.peak_hr_frac < HARD_PEAK_HR_FRAC):
        return None
    text = case.voice.ngettext("{count} km in a row at {paces}, threshold pace",
                               "{count} km in a row at {paces}, threshold pace", block.size
                               ).format(count=block.size, paces=case.paces(block.tolist()))
    return Classification(Workout.TEMPO, LIKELY if trusted else GUESS,
                          case.with_heart(text, f.peak_hr_frac, up_to=True))


def past_most_thresholds(case: Case) -> Classification | None:
    """Without the athlete's own paces, a run at the population's threshold pace or faster,
    lasting TEMPO_BLOCK_S or more and too short to be a long run, is no easy run for most
    runners: a tempo, as far as its data say."""
    activity, profile = case.activity, case.profile
    if (profile.own_paces or is_long(activity, profile) or activity.moving_s < TEMPO_BLOCK_S
            or activity.speed < profile.threshold_speed):
        return None
    text = case.voice.gettext("{summary}, faster than most runners' threshold pace ({pace})")
    return Classification(Workout.TEMPO, GUESS, text.format(
        summary=case.summary(), pace=case.pace(profile.threshold_speed)))


def progression(case: Case) -> Classification | None:
    f = case.features
    splits = f.split_speeds
    for _ in range(COOL_DOWN_MAX_KM):
        if splits.size > PROGRESSION_MIN_SPLITS and splits[-1] < COOL_DOWN_FRAC * splits.max():
            splits = splits[:-1]
    if splits.size < PROGRESSION_MIN_SPLITS:
        return None
    third = splits.size // 3
    first, last = float(np.mean(splits[:third])), float(np.mean(splits[-third:]))
    steady_build = bool(np.all(splits >= PROGRESSION_SLIP * np.maximum.accumulate(splits)))
    if last < PROGRESSION_RATIO * first or not steady_build:
        return None
    is_hard = (f.peak_hr_frac >= HARD_PEAK_HR_FRAC if f.peak_hr_frac is not None
               else last >= HARD_SPEED_OVER_EASY * case.profile.easy_speed)
    if not is_hard:
        return None
    text = case.voice.gettext(
        "progression run: {start} at the start, {end} over the last {distance}").format(
        start=case.pace(first), end=case.pace(last), distance=case.distance(1000.0 * third))
    return Classification(Workout.TEMPO, LIKELY,
                          case.with_heart(text, f.peak_hr_frac, up_to=True))


def _near_threshold(blocks: list[Piece], case: Case) -> bool:
    """Whether blocks no faster over the ground than the run as a whole, fast only once
    grade-adjusted (climbs), were run at a threshold heart rate (TEMPO_BLOCK_HR_FRAC).
    Blocks faster over the ground than the run, and runs without heart rate, pass: an
    assumed maximum can put a real tempo at 75 % (tests/data/real: elevate-sloatsburg.fit's
    hand-lapped 24 min at 4:08-4:35/km, HR 145-153)."""
    moving = sum(b.moving_s for b in blocks)
    run_speed = case.activity.distance_m / case.activity.moving_s if case.activity.moving_s else 0.0
    if moving <= 0 or sum(b.metres for b in blocks) / moving > run_speed:
        return True
    timed = [(b.hr, b.seconds) for b in blocks if np.isfinite(b.hr)]
    if not timed:
        return True
    hr = float(np.average([h for h, _ in timed], weights=[t for _, t in timed]))
    return hr >= TEMPO_BLOCK_HR_FRAC * case.features.max_hr


def _harder_than_around(blocks: list[Piece], case: Case) -> bool:
    """Whether the blocks of a long run were run at a heart rate TEMPO_OVER_REST_HR_FRAC of
    HRmax above the rest of its moving time (from the run's average heart rate). Runs not
    long, runs without heart rate, blocks without one, and runs with less than a block's
    length of running outside the blocks pass."""
    activity = case.activity
    if not is_long(activity, case.profile):
        return True
    timed = [(b.hr, b.moving_s) for b in blocks if np.isfinite(b.hr) and b.moving_s > 0]
    if activity.avg_hr is None or not timed:
        return True
    block_s = sum(s for _, s in timed)
    rest_s = activity.moving_s - sum(b.moving_s for b in blocks)
    if rest_s < TEMPO_BLOCK_S:
        return True
    block_hr = sum(h * s for h, s in timed) / block_s
    rest_hr = (activity.avg_hr * activity.moving_s - block_hr * block_s) / (
        activity.moving_s - block_s)
    return block_hr - rest_hr >= TEMPO_OVER_REST_HR_FRAC * case.features.max_hr


def _heart(text: str, bouts: list[Piece], case: Case) -> str:
    hrs = [b.hr for b in bouts if np.isfinite(b.hr)]
    fraction = float(np.mean(hrs)) / case.features.max_hr if hrs else None
    return case.with_heart(text, fraction)
