"""What kind of workout an activity was, and the evidence for it in a runner's words.

The athlete's own word (Strava's workout_type) and the sport decide first. A run is then
read from the finest data there is, streams or else laps and splits, in a fixed order:
a race-like even effort, hill repeats, a sustained tempo block, regular repeats
(intervals, sprints), a sustained high heart rate, irregular surges (fartlek), and last
the steady runs, which are long, recovery or easy against the athlete's profile.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis import segments
from analysis.model import (
    STRAVA_RIDE_RACE,
    STRAVA_RUN_LONG,
    STRAVA_RUN_RACE,
    STRAVA_RUN_WORKOUT,
    Activity,
    Classification,
    FloatArray,
    Workout,
    is_run,
    is_strength,
)
from analysis.profile import RUN_SPEED_RANGE, AthleteProfile, default_profile
from analysis.segments import Efforts, Features, Piece
from analysis.units import format_distance, format_duration, format_pace, format_pace_range

#: Shortest run that can be judged, in s: below five minutes it is a warm-up or a test.
MIN_RUN_S = 300.0
#: Shortest run distance that can be judged, in m.
MIN_RUN_M = 500.0
#: Confidence when the athlete said what it was, or the sport does.
SURE = 0.95
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
#: Without heart rate in the streams, laps are enough to call a run steady only when
#: their peak stayed below this share of HRmax (Seiler's first ventilatory threshold,
#: about 82 %): no bout of any kind happened.
STEADY_PEAK_HR_FRAC = 0.82
#: Race distances in m: track, road and the marathon family.
RACE_DISTANCES = (1609.344, 3000.0, 5000.0, 8000.0, 10000.0, 15000.0, 16093.44, 21097.5, 42195.0)
#: GPS distance of a race is within a few per cent of the official one.
RACE_DISTANCE_TOLERANCE = 0.03
#: Kilometre splits of an even race vary by less than this coefficient of variation
#: (elite 10 km splits vary 1-3 %; a fading or surging run far more).
RACE_SPLIT_CV = 0.05
#: A race is run at 85 % of HRmax or more all the way (half marathon ~87 %, 10 km ~92 %).
RACE_HR_FRAC = 0.85
#: Without heart rate, a race is at least this share of threshold speed (Daniels:
#: half-marathon pace is about 97 % of T pace, 10 km pace 103 %).
RACE_SPEED_FRAC = 0.97
#: Bouts of a tempo block last at least this long in s (Daniels' cruise intervals: 5-15 min).
TEMPO_BLOCK_S = 8 * 60.0
#: At most this many blocks make a tempo (2 x 15 min); more are intervals.
TEMPO_MAX_BLOCKS = 2
#: The blocks hold at least this share of the hard running.
TEMPO_SHARE = 0.7
#: Tempo and repeats need the heart rate to reach 85 % of HRmax somewhere (Garmin zone 4).
HARD_PEAK_HR_FRAC = 0.85
#: Without heart rate, hard running is at least 5 % faster than the athlete's easy pace.
HARD_SPEED_OVER_EASY = 1.05
#: Fewest bouts that make repeats or fartlek.
MIN_REPS = 3
#: Sprint bouts last under about 45 s (alactic and glycolytic efforts; the contract).
SPRINT_MAX_S = 45.0
#: ... and none over a minute: longer ones make a fartlek or intervals.
SPRINT_LONGEST_S = 60.0
#: Sprints are run at least this multiple of the jogging pace.
SPRINT_RATIO = 1.35
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
#: Intervals rest at least this long between repeats (s); shorter dips are part of
#: one effort (a bend, a water bottle).
MIN_RECOVERY_S = 30.0
#: Fartlek surges last 30 s or more (Holmér's fartlek: surges of a minute or several)
#: and add up to a few minutes; shorter blips in a steady run are terrain or GPS.
FARTLEK_MEDIAN_S = 30.0
#: The surges of a fartlek add up to at least this many seconds.
FARTLEK_MIN_WORK_S = 240.0
#: Repeats are regular when their durations (or distances) vary by less than this CV.
REGULAR_CV = 0.3
#: ... their recoveries by less than this CV (coaches set fixed rests; fartlek floats)
RECOVERY_CV = 0.35
#: ... and their paces by less than this CV: repeats are run at one target pace, give
#: or take a hill (the last two of the labelled 4 x 6 min file are 13 % slower uphill).
PACE_CV = 0.1
#: Repeats are named by distance ("8 x 400 m") when their distances vary clearly less
#: than their durations, by time ("4 x 6 min") otherwise.
DISTANCE_NAMING_CV = 0.7
#: ... and their durations vary by at least this CV: repeats run to the watch vary by
#: a second or two, repeats run to a distance by the pace of each.
VARYING_CV = 0.02
#: Labels of runs without structure, which Strava's "workout" flag overrides.
STEADY = frozenset({Workout.EASY, Workout.LONG, Workout.RECOVERY, Workout.OTHER})
#: Stream results that structure in the laps overrides: laps pressed by hand show what
#: the athlete meant to run, where a stream shows only a steady run or loose surges.
LAPS_OVERRIDE = STEADY | {Workout.FARTLEK}
#: The lap structures that override them: repeats marked lap by lap.
LAP_REPEATS = frozenset({Workout.INTERVALS, Workout.SPRINTS, Workout.HILLS})


@dataclass(frozen=True)
class SummaryVerdict:
    """A classification from summary, laps and splits, and whether streams could change it."""

    decided: bool
    classification: Classification
    reason: str


def classify(activity: Activity, profile: AthleteProfile | None = None) -> Classification:
    """Classify one activity from everything it carries.

    Never raises on odd input: what cannot be judged is ``other``, with the reason.
    """
    profile = profile or default_profile()
    fixed = _by_kind(activity, profile)
    if fixed is not None:
        return fixed.classification
    features = segments.from_streams(activity, profile)
    laps = _judge_summary(activity, profile)
    if features is None:
        return laps.classification
    result = _athlete_word(activity, _judge(activity, profile, features))
    if result.workout in LAPS_OVERRIDE and laps.classification.workout in LAP_REPEATS:
        return laps.classification
    return result


def classify_summary(activity: Activity, profile: AthleteProfile | None = None) -> SummaryVerdict:
    """Classify from summary fields, laps and splits only (``activity.streams`` is ignored).

    Returns:
        The verdict; ``decided`` is False when the streams might show something the
        laps hide (repeats inside auto-laps, surges, a tempo without laps).
    """
    profile = profile or default_profile()
    fixed = _by_kind(activity, profile)
    return fixed if fixed is not None else _judge_summary(activity, profile)


def _judge_summary(activity: Activity, profile: AthleteProfile) -> SummaryVerdict:
    features = segments.from_laps(activity, profile)
    result = _athlete_word(activity, _judge(activity, profile, features))
    if result.workout not in STEADY:
        return SummaryVerdict(True, result, f"laps show it: {result.evidence}")
    if features.peak_hr_frac is not None and features.peak_hr_frac < STEADY_PEAK_HR_FRAC:
        reason = f"heart rate never passed {_percent(features.peak_hr_frac)} of max: steady"
        return SummaryVerdict(True, result, reason)
    return SummaryVerdict(False, result, "laps look steady; the streams may show efforts")


def _by_kind(activity: Activity, profile: AthleteProfile) -> SummaryVerdict | None:
    """Decisions that need no analysis: sport, unusable data, the athlete's word, manual."""
    result = _by_sport(activity) or _unusable_run(activity)
    if result is None and activity.workout_type in (STRAVA_RUN_RACE, STRAVA_RIDE_RACE):
        result = Classification(Workout.RACE, SURE, f"{_distance_pace(activity)}, Strava race")
    if result is None and activity.workout_type == STRAVA_RUN_LONG:
        result = Classification(Workout.LONG, SURE, f"{_distance_pace(activity)}, Strava long run")
    if result is None and activity.manual:
        steady = _steady(activity, profile, None, GUESS)
        result = Classification(steady.workout, GUESS, f"{steady.evidence}, entered by hand")
    return None if result is None else SummaryVerdict(True, result, result.evidence)


def _by_sport(activity: Activity) -> Classification | None:
    duration = format_duration(activity.moving_s or activity.elapsed_s)
    if is_strength(activity.sport):
        return Classification(Workout.STRENGTH, SURE, f"{duration} of {activity.sport}")
    if not activity.sport:
        return Classification(Workout.OTHER, GUESS, "no sport recorded")
    if is_run(activity.sport):
        return None
    distance = activity.distance_m
    what = f"{format_distance(distance)} {activity.sport}" if distance > 0 else activity.sport
    return Classification(Workout.CROSS_TRAINING, SURE, f"{what}, {duration}")


def _unusable_run(activity: Activity) -> Classification | None:
    moving, distance = activity.moving_s, activity.distance_m
    if not (math.isfinite(moving) and math.isfinite(distance)):
        return Classification(Workout.OTHER, SURE, "time or distance is missing")
    if moving < MIN_RUN_S:
        return Classification(
            Workout.OTHER, SURE, f"run of {format_duration(moving)}: too short to judge")
    if distance < MIN_RUN_M:
        return Classification(
            Workout.OTHER, SURE, f"{format_duration(moving)} with no distance recorded")
    low, high = RUN_SPEED_RANGE
    if not low <= activity.speed <= high:
        return Classification(
            Workout.OTHER, SURE,
            f"{format_distance(distance)} in {format_duration(moving)} is not a running "
            f"speed ({format_pace(activity.speed)}): probably a recording glitch")
    return None


def _athlete_word(activity: Activity, result: Classification) -> Classification:
    """Strava's "workout" flag: the data picks the kind, a quality session it is anyway."""
    if activity.workout_type != STRAVA_RUN_WORKOUT or result.workout not in STEADY:
        return result
    return Classification(
        Workout.TEMPO, GUESS, f"Strava workout; no clear structure in the data ({result.evidence})")


def _judge(activity: Activity, profile: AthleteProfile, f: Features) -> Classification:
    for rule in (_race, _hills, _tempo_block, _repeats, _hr_tempo, _fartlek, _progression):
        found = rule(activity, profile, f)
        if found is not None:
            return found
    confidence = LIKELY if profile.pace_source == "history" else GUESS
    return _steady(activity, profile, f.avg_hr_frac, confidence)


def _steady(
    activity: Activity, profile: AthleteProfile, hr_frac: float | None, confidence: float
) -> Classification:
    moving, distance = activity.moving_s, activity.distance_m
    summary = _distance_pace(activity)
    if distance >= profile.long_run_m or moving >= profile.long_run_s:
        ratio = max(distance / profile.typical_run_m, moving / profile.typical_run_s)
        return Classification(
            Workout.LONG, confidence, f"{summary}, {ratio:.1f}x a typical run")
    heart = f", HR {_percent(hr_frac)} of max" if hr_frac is not None else ""
    if moving <= RECOVERY_SHORT_FACTOR * profile.typical_run_s:
        slow = (hr_frac < RECOVERY_HR_FRAC if hr_frac is not None
                else activity.speed < RECOVERY_SPEED_FRAC * profile.easy_speed)
        if slow:
            text = f"{summary}, short and gentle{heart}"
            return Classification(Workout.RECOVERY, confidence, text)
    return Classification(Workout.EASY, confidence, f"{summary}, steady{heart}")


def _distance_pace(activity: Activity) -> str:
    return f"{format_distance(activity.distance_m)} at {format_pace(activity.speed)}"


def _race(activity: Activity, profile: AthleteProfile, f: Features) -> Classification | None:
    near = [d for d in RACE_DISTANCES
            if abs(activity.distance_m - d) <= RACE_DISTANCE_TOLERANCE * d]
    splits = f.split_speeds
    if not near or splits.size < 3 or _cv(splits) > RACE_SPLIT_CV:
        return None
    hard = (f.avg_hr_frac >= RACE_HR_FRAC if f.avg_hr_frac is not None
            else activity.speed >= RACE_SPEED_FRAC * profile.threshold_speed)
    if not hard or not _faster_than_usual(activity, profile):
        return None
    how = f"HR {_percent(f.avg_hr_frac)} of max" if f.avg_hr_frac is not None else "hard"
    return Classification(
        Workout.RACE, GUESS,
        f"{_distance_pace(activity)}, even splits "
        f"({format_pace_range(splits.min(), splits.max())}), {how} all the way")


def _hills(activity: Activity, profile: AthleteProfile, f: Features) -> Classification | None:
    return Classification(Workout.HILLS, CLEAR, f.hills) if f.hills else None


def _tempo_block(activity: Activity, profile: AthleteProfile, f: Features) -> Classification | None:
    bouts = f.efforts.bouts
    blocks = [b for b in bouts if b.seconds >= TEMPO_BLOCK_S]
    work = sum(b.seconds for b in blocks)
    if not 0 < len(blocks) <= TEMPO_MAX_BLOCKS or work < segments.TEMPO_MIN_S:
        return None
    if work < TEMPO_SHARE * sum(b.seconds for b in bouts) or not _hard(blocks, f, profile):
        return None
    pace = format_pace_range(min(b.pace_speed for b in blocks), max(b.pace_speed for b in blocks))
    if len(blocks) == 1:
        warm = blocks[0].start_s
        after = f" after {format_duration(warm)} warm-up" if warm >= 180 else ""
        text = f"{format_duration(_about(work))} continuous at {pace}{after}"
    else:
        text = f"{len(blocks)} x {format_duration(_about(work / len(blocks)))} at {pace}"
    return Classification(Workout.TEMPO, CLEAR, text + _heart(blocks, f))


def _repeats(activity: Activity, profile: AthleteProfile, f: Features) -> Classification | None:
    bouts = f.efforts.bouts
    if len(bouts) < MIN_REPS:
        return None
    seconds = np.array([b.seconds for b in bouts])
    speed = float(np.median([b.speed for b in bouts]))
    short = np.median(seconds) < SPRINT_MAX_S and np.max(seconds) <= SPRINT_LONGEST_S
    if short and speed >= SPRINT_RATIO * f.efforts.jog_speed:
        return Classification(Workout.SPRINTS, CLEAR, _reps_text(f.efforts))
    if not _regular(f.efforts) or not _hard(bouts, f, profile):
        return None
    return Classification(Workout.INTERVALS, CLEAR, _reps_text(f.efforts))


def _hr_tempo(activity: Activity, profile: AthleteProfile, f: Features) -> Classification | None:
    block = f.hr_block
    if block is None or not _faster_than_usual(activity, profile):
        return None
    low, high = round(100 * block.low_frac), round(100 * block.high_frac)
    share = f"{low} %" if low == high else f"{low}-{high} %"
    return Classification(
        Workout.TEMPO, LIKELY, f"{format_duration(block.seconds)} continuous at {share} of max HR")


def _progression(activity: Activity, profile: AthleteProfile, f: Features) -> Classification | None:
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
    hard = (f.peak_hr_frac >= HARD_PEAK_HR_FRAC if f.peak_hr_frac is not None
            else last >= HARD_SPEED_OVER_EASY * profile.easy_speed)
    if not hard:
        return None
    return Classification(
        Workout.TEMPO, LIKELY,
        f"progression run: {format_pace(first)} at the start, {format_pace(last)} "
        f"over the last {third} km" + (f", HR up to {_percent(f.peak_hr_frac)} of max"
                                       if f.peak_hr_frac is not None else ""))


def _fartlek(activity: Activity, profile: AthleteProfile, f: Features) -> Classification | None:
    bouts = f.efforts.bouts
    seconds = [b.seconds for b in bouts]
    if len(bouts) < MIN_REPS or float(np.median(seconds)) < FARTLEK_MEDIAN_S:
        return None
    if float(np.median([g.seconds for g in f.efforts.gaps])) < MIN_RECOVERY_S:
        return None
    if sum(seconds) < FARTLEK_MIN_WORK_S or not _hard(bouts, f, profile):
        return None
    shortest, longest = (format_duration(_about(t)) for t in (min(seconds), max(seconds)))
    lengths = shortest if shortest == longest else f"{shortest}-{longest}"
    pace = format_pace_range(min(b.pace_speed for b in bouts), max(b.pace_speed for b in bouts))
    return Classification(
        Workout.FARTLEK, LIKELY,
        f"{len(bouts)} surges of {lengths} at {pace}, irregular recoveries")


def _hard(bouts: list[Piece] | tuple[Piece, ...], f: Features, profile: AthleteProfile) -> bool:
    """Heart rate reached the hard zone, or (without it) the bouts beat easy pace."""
    speed = float(np.median([b.pace_speed for b in bouts]))
    fast = speed >= HARD_SPEED_OVER_EASY * profile.easy_speed
    if f.peak_hr_frac is None:
        return fast
    return f.peak_hr_frac >= HARD_PEAK_HR_FRAC and (fast or profile.pace_source != "history")


def _faster_than_usual(activity: Activity, profile: AthleteProfile) -> bool:
    """With a pace history, heart rate alone cannot make a run hard: a run at the
    athlete's everyday pace is an everyday run, whatever a misjudged maximum says."""
    if profile.pace_source != "history":
        return True
    return activity.speed >= HARD_SPEED_OVER_EASY * profile.easy_speed


def _regular(efforts: Efforts) -> bool:
    seconds = np.array([b.seconds for b in efforts.bouts])
    metres = np.array([b.metres for b in efforts.bouts])
    rests = np.array([g.seconds for g in efforts.gaps])
    if not rests.size or float(np.median(rests)) < MIN_RECOVERY_S:
        return False
    paces = np.array([b.speed for b in efforts.bouts])
    if _cv(paces) > PACE_CV:
        return False
    return min(_cv(seconds), _cv(metres)) <= REGULAR_CV and _cv(rests) <= RECOVERY_CV


def _reps_text(efforts: Efforts) -> str:
    """``4 x 6 min at 3:39-4:13/km, 3 min jog recoveries``."""
    bouts = efforts.bouts
    seconds = np.array([b.seconds for b in bouts])
    metres = np.array([b.metres for b in bouts])
    by_distance = (_cv(metres) < DISTANCE_NAMING_CV * _cv(seconds)
                   and _cv(seconds) >= VARYING_CV and np.median(metres) >= 100)
    size = (format_distance(round(float(np.median(metres)), -2)) if by_distance
            else format_duration(_about(float(np.median(seconds)))))
    pace = format_pace_range(min(b.pace_speed for b in bouts), max(b.pace_speed for b in bouts))
    text = f"{len(bouts)} x {size} at {pace}"
    if not efforts.gaps:
        return text
    rest = float(np.median([g.seconds for g in efforts.gaps]))
    kind = _rest_kind(efforts.gaps)
    return f"{text}, {format_duration(_about(rest))} {kind} recoveries"


def _rest_kind(gaps: tuple[Piece, ...]) -> str:
    moving = sum(g.moving_s for g in gaps) / max(sum(g.seconds for g in gaps), 1.0)
    if moving <= segments.STOP_MOVING_FRACTION:
        return "standing"
    speed = float(np.median([g.pace_speed for g in gaps]))
    return "walk" if speed < segments.RUN_MIN_SPEED else "jog"


def _heart(bouts: list[Piece], f: Features) -> str:
    hrs = [b.hr for b in bouts if math.isfinite(b.hr)]
    return f", HR {_percent(float(np.mean(hrs)) / f.max_hr)} of max" if hrs else ""


def _about(seconds: float) -> float:
    """Round a measured duration the way a runner says it: 5 s steps, then half minutes."""
    step = 5.0 if seconds < 90 else 30.0
    return step * round(seconds / step)


def _percent(fraction: float) -> str:
    return f"{round(100 * fraction)} %"


def _cv(values: FloatArray) -> float:
    mean = float(np.mean(values)) if values.size else 0.0
    return float(np.std(values)) / mean if mean > 0 else math.inf
