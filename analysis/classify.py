"""What kind of workout an activity was, and the evidence for it in a runner's words.

The athlete's own word (Strava's workout_type) and the sport decide first. A run is then
read from the finest data there is, streams or else laps and splits, in a fixed order:
a race-like even effort, hill repeats, a sustained tempo block, regular repeats
(intervals, sprints), a sustained high heart rate, irregular surges (fartlek), and last
the steady runs, which are long, recovery or easy against the athlete's profile.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from analysis import climbs, corroboration, plausibility, repeats, rules, segments
from analysis.evidence import Case, distance_pace, doubt_text, percent, typical_run
from analysis.model import (
    STRAVA_RIDE_RACE,
    STRAVA_RUN_LONG,
    STRAVA_RUN_RACE,
    STRAVA_RUN_WORKOUT,
    Activity,
    Classification,
    Workout,
    is_generic,
    is_run,
    is_strength,
)
from analysis.plausibility import HeartRateDoubt
from analysis.profile import RUN_SPEED_RANGE, AthleteProfile, default_profile
from analysis.rules import GUESS, LIKELY
from analysis.units import format_duration
from analysis.voice import DEFAULT, Voice

#: Shortest run that can be judged, in s: below five minutes it is a warm-up or a test,
#: unless it covered MIN_RUN_M or more. That is 3:20/km or faster, quicker than anyone's
#: warm-up: a track race or a time trial (tests/data/blind-2026-12z: a mile race in 4:46,
#: "too short to judge").
MIN_RUN_S = 300.0
#: Shortest run distance that can be judged, in m: under the metric mile a run is a
#: warm-up, a cool-down or a test, whatever its pace.
MIN_RUN_M = 1500.0
#: Confidence when the athlete said what it was, or the sport does.
SURE = 0.95
#: Without heart rate in the streams, laps are enough to call a run steady only when
#: their peak stayed below this share of HRmax (Seiler's first ventilatory threshold,
#: about 82 %): no bout of any kind happened.
STEADY_PEAK_HR_FRAC = 0.82
#: A run that moved for less than this share of its elapsed time may hold standing or
#: walking recoveries (sprints with auto-paused walk-backs move 17 % of the time), which
#: only the streams show; a steady run stops at lights and for a drink.
STEADY_MOVING_SHARE = 0.75
#: A "run" covered faster than a ride whose cadence is a running cadence (steps per
#: minute; a pedalling cadence never reaches it) for at least this share of its moving
#: samples ran, and its distance is wrong: a footpod on a treadmill off by its
#: calibration (tests/data/blind-2026-12: 68.5 km in 136 min at 177-182 spm).
RUN_STEPS_SHARE = plausibility.RUN_CADENCE_SHARE
#: Labels of runs without structure, which Strava's "workout" flag overrides.
STEADY = frozenset({Workout.EASY, Workout.LONG, Workout.RECOVERY, Workout.OTHER})
#: Stream results that structure the laps decide overrides: laps pressed by hand show what
#: the athlete meant to run, where a stream shows only a steady run or loose surges (a
#: phone's wandering GPS breaks a tempo into surges). The worker, which fetches no streams
#: once the laps decide, gives the same label.
LAPS_OVERRIDE = STEADY | {Workout.FARTLEK}
#: Repeats that laps pressed by hand (not cut by distance) show win over a tempo the
#: streams see: 3 x 600 m with 2 min jogs keeps the heart rate at tempo level all the way,
#: where the athlete's laps say where each repeat began and ended.
HAND_LAPS_REPEATS = frozenset({Workout.INTERVALS, Workout.SPRINTS, Workout.HILLS})
#: Sustained efforts that laps of one length (auto-laps, splits) cannot tell from repeats
#: whose recoveries fall inside the laps: 5 x 1 km with 90 s jogs reads as 8 fast kilometres.
EVEN_LAPS_HIDE = frozenset({Workout.TEMPO, Workout.FARTLEK})
#: Hill repeats are the session's efforts: where the laps pressed by hand (or set by a
#: workout) mark repeats, at least this share of the climbs the streams find must lie
#: inside them, else the climbs are the terrain around the repeats (tests/data/blind-2026-12e:
#: 3 x 2 min marked by the laps, "3 climbs" in the warm-up, one repeat and its jog).
HILLS_IN_LAPPED_REPEATS = 0.5
#: Rests at the wall adding up to this many seconds are worth saying: a minute's stop
#: breaks an effort (analysis.claims.BREAK_S).
SWIM_REST_S = 60.0


def _race(case: Case) -> Classification | None:
    """A race is run at one effort: where the repeats rule finds reps that the heart rate
    follows, the even kilometre splits only average each rep with its recovery
    (tests/data/blind-2026-12k: 6 x 800 m on 400 m jogs, 9.7 km whose splits spread
    4:16-4:47/km, read as a 10 km race)."""
    found = rules.race(case)
    if found is None or repeats.repeats(case) is None or not _heart_follows(case):
        return found
    return None


def _heart_follows(case: Case) -> bool:
    """Whether the heart rate, where the streams hold one, witnesses the efforts' bouts
    (analysis.corroboration.heart_follows); laps average a lagging heart rate over each rep and
    recovery, so they are no witness."""
    streams, efforts = case.activity.streams, case.features.efforts
    if streams is None:
        return True
    return corroboration.heart_follows(streams.heartrate, [b.span for b in efforts.bouts],
                                       [g.span for g in efforts.gaps])


#: The structure rules, first match wins.
RULES: tuple[Callable[[Case], Classification | None], ...] = (
    _race, rules.hills, rules.tempo_block, repeats.repeats, repeats.short_surges,
    rules.hr_tempo, repeats.fartlek, rules.progression, rules.threshold_run,
    rules.past_most_thresholds)


@dataclass(frozen=True)
class SummaryVerdict:
    """A classification from summary, laps and splits, and whether streams could change it."""

    decided: bool
    classification: Classification
    reason: str


def classify(activity: Activity, profile: AthleteProfile | None = None, *,
             voice: Voice = DEFAULT) -> Classification:
    """Classify one activity from everything it carries.

    Never raises on odd input: what cannot be judged is ``other``, with the reason.

    Parameters:
        voice: the language, units and figures of the evidence; the label does not
            depend on it.
    """
    profile = profile or default_profile()
    fixed = _by_kind(activity, profile, voice)
    if fixed is not None:
        return _with_left_out(fixed.classification, activity, voice)
    features = segments.from_streams(activity, profile)
    laps = _judge_summary(activity, profile, voice)
    if features is None:
        return laps.classification
    result = _athlete_word(activity, _judge(Case(activity, profile, features, voice)), voice)
    result = _with_doubt(_with_left_out(result, activity, voice), features.hr_doubt, voice)
    if laps.decided and _laps_win(activity, result.workout, laps.classification.workout):
        return laps.classification
    if laps.decided and _climbs_beside_lapped_repeats(activity, profile, features.hills,
                                                      result.workout,
                                                      laps.classification.workout):
        return laps.classification
    return result


def _with_left_out(result: Classification, activity: Activity, voice: Voice) -> Classification:
    """The evidence with what was left out of the totals as covered at a vehicle's speed
    (analysis.plausibility.without_vehicle_stretches): said once, in this activity's own
    evidence, never in the blocks of later sessions."""
    left = activity.left_out
    if left is None:
        return result
    note = voice.gettext("{evidence}; {distance} in {duration} left out: faster than on foot")
    return replace(result, evidence=note.format(
        evidence=result.evidence, distance=voice.distance(left.distance_m),
        duration=voice.clock(left.seconds)))


def _laps_win(activity: Activity, streams: Workout, laps: Workout) -> bool:
    """Whether the decided laps' answer stands over the streams'. Repeats the athlete pressed
    laps for are told as the laps mark them, also when the streams find the same workout:
    the worker, which reads no streams once the laps decide, says the same, and the streams'
    bouts can take in a warm-up's pickup the laps leave out (shared/data/real's
    connectstats-track_cs_834323: "4 x 2:30 min" by its laps, "5 x 85 s-2:30 min" by its
    streams)."""
    if streams in LAPS_OVERRIDE and laps not in LAPS_OVERRIDE:
        return True
    by_hand = not segments.evenly_spaced(segments.lap_source(activity))
    if laps is Workout.HILLS and streams in HAND_LAPS_REPEATS:
        # Laps pressed at the foot and the top of a hill mark climbs whose short, fast
        # ascents the streams call repeats: 12 x 30 s up a 5-9 % slope read as sprints.
        return by_hand
    return (streams is Workout.TEMPO or streams is laps) and laps in HAND_LAPS_REPEATS and by_hand


def _climbs_beside_lapped_repeats(activity: Activity, profile: AthleteProfile,
                                  hills: tuple[climbs.Climb, ...], streams: Workout,
                                  laps: Workout) -> bool:
    """Whether the streams' hill repeats lie mostly outside the repeats that laps pressed by
    hand mark: the athlete's laps say which stretches were the efforts."""
    if streams is not Workout.HILLS or laps is not Workout.INTERVALS or not hills:
        return False
    if activity.streams is None or segments.evenly_spaced(segments.lap_source(activity)):
        return False
    bouts = segments.from_laps(activity, profile).efforts.bouts
    time = activity.streams.time
    inside = sum(any(b.start_s <= time[(c.start + c.end) // 2] <= b.start_s + b.seconds
                     for b in bouts) for c in hills)
    return inside < HILLS_IN_LAPPED_REPEATS * len(hills)


def classify_summary(activity: Activity, profile: AthleteProfile | None = None, *,
                     voice: Voice = DEFAULT) -> SummaryVerdict:
    """Classify from summary fields, laps and splits only (``activity.streams`` is ignored).

    Returns:
        The verdict; ``decided`` is False when the streams might show something the
        laps hide (repeats inside auto-laps, surges, a tempo without laps). Its reason is
        for the operator's logs and stays in English; the classification speaks in ``voice``.
    """
    profile = profile or default_profile()
    activity = replace(activity, streams=None)
    fixed = _by_kind(activity, profile, voice)
    return fixed if fixed is not None else _judge_summary(activity, profile, voice)


def _judge_summary(activity: Activity, profile: AthleteProfile, voice: Voice) -> SummaryVerdict:
    features = segments.from_laps(activity, profile)
    rule, first = _judged_by(Case(activity, profile, features, voice))
    judged = _with_doubt(_with_left_out(first, activity, voice), features.hr_doubt, voice)
    result = _athlete_word(activity, judged, voice)
    if result is not judged:
        return SummaryVerdict(False, result, "Strava calls it a workout and the laps show no "
                                             "structure; the streams may")
    if result.workout in EVEN_LAPS_HIDE and segments.evenly_spaced(segments.lap_source(activity)):
        return SummaryVerdict(False, result, "laps of one length show a sustained effort; "
                                             "repeats inside them show only in the streams")
    if result.workout in EVEN_LAPS_HIDE and segments.laps_hold_stops(segments.lap_source(activity)):
        return SummaryVerdict(False, result, "laps that stood still inside may hold the "
                                             "recoveries of repeats; the streams show them")
    paused = activity.moving_s < STEADY_MOVING_SHARE * activity.elapsed_s
    if paused and (result.workout in STEADY or result.workout in EVEN_LAPS_HIDE):
        return SummaryVerdict(False, result, "long pauses may be the recoveries of repeats; "
                                             "the streams show them")
    if rule is rules.past_most_thresholds:
        return SummaryVerdict(False, result, "only the average pace, against the population's "
                                             "threshold, says tempo; the streams may show a "
                                             "race or repeats")
    if result.workout is Workout.FARTLEK:
        return SummaryVerdict(False, result, "surges with irregular recoveries may be repeats "
                                             "whose laps were pressed late or missed; the "
                                             "streams show them")
    if result.workout not in STEADY:
        return SummaryVerdict(True, result, f"laps show it: {result.evidence}")
    if features.peak_hr_frac is not None and features.peak_hr_frac < STEADY_PEAK_HR_FRAC:
        reason = f"heart rate never passed {percent(features.peak_hr_frac)} of max: steady"
        return SummaryVerdict(True, result, reason)
    return SummaryVerdict(False, result, "laps look steady; the streams may show efforts")


def _with_doubt(result: Classification, doubt: HeartRateDoubt | None,
                voice: Voice) -> Classification:
    if doubt is None:
        return result
    return replace(result, evidence=voice.gettext("{evidence}; heart rate set aside: {doubt}")
                   .format(evidence=result.evidence, doubt=doubt_text(doubt, voice)))


def _judge(case: Case) -> Classification:
    return _judged_by(case)[1]


def _judged_by(case: Case) -> tuple[Callable[[Case], Classification | None] | None,
                                    Classification]:
    """The first rule that matches and its classification; None and a steady run when none
    does."""
    for rule in RULES:
        found = rule(case)
        if found is not None:
            return rule, found
    confidence = LIKELY if case.profile.own_paces else GUESS
    return None, rules.steady(case.activity, case.profile, case.features.avg_hr_frac,
                              confidence, case.voice, case.features.max_hr)


def _by_kind(activity: Activity, profile: AthleteProfile,
             voice: Voice) -> SummaryVerdict | None:
    """Decisions that need no analysis: sport, unusable data, the athlete's word, manual."""
    _ = voice.gettext
    result = _by_sport(activity, voice) or _unusable_run(activity, profile, voice)
    summary = distance_pace(activity, voice)
    if result is None and activity.workout_type in (STRAVA_RUN_RACE, STRAVA_RIDE_RACE):
        result = Classification(Workout.RACE, SURE,
                                _("{summary}, Strava race").format(summary=summary))
    if result is None and activity.workout_type == STRAVA_RUN_LONG:
        result = Classification(Workout.LONG, SURE,
                                _("{summary}, Strava long run").format(summary=summary))
    if result is None and activity.manual:
        steady = rules.steady(activity, profile, None, GUESS, voice)
        result = Classification(steady.workout, GUESS, _("{evidence}, entered by hand").format(
            evidence=steady.evidence))
    if result is None:
        return None
    if (is_generic(activity.sport) and activity.streams is None
            and plausibility.could_be_a_run(activity)):
        return SummaryVerdict(False, result, f"{activity.sport} at a running speed: the "
                                             "cadence in the streams says whether it was a run")
    if (is_run(activity.sport) and activity.streams is None
            and plausibility.moves_like_a_ride(activity)):
        return SummaryVerdict(False, result, "a run at a ride's speed: the cadence in the "
                                             "streams says whether it ran on a wrong distance")
    return SummaryVerdict(True, result, result.evidence)


def _by_sport(activity: Activity, voice: Voice) -> Classification | None:
    """Sports other than running, named as the Strava app names them in the athlete's
    language."""
    _ = voice.gettext
    seconds = activity.moving_s or activity.elapsed_s
    if activity.sport == "Swim" and activity.elapsed_s > 0:
        seconds = activity.elapsed_s  # a swim lasts its elapsed time, rests at the wall in
    duration = format_duration(seconds)
    sport = voice.sport(activity.sport)
    if is_strength(activity.sport):
        return Classification(Workout.STRENGTH, SURE,
                              _("{duration} of {sport}").format(duration=duration, sport=sport))
    if not activity.sport:
        return Classification(Workout.OTHER, GUESS, _("no sport recorded"))
    if is_run(activity.sport):
        return None
    if is_generic(activity.sport):
        if plausibility.moves_like_a_run(activity):
            return None
        if activity.moving_s < MIN_RUN_S:
            return Classification(Workout.OTHER, SURE, _(
                "{duration} of {sport}: too short to judge").format(duration=duration,
                                                                    sport=sport))
    swimming = swimming_s(activity)
    if swimming is not None and activity.distance_m > 0:
        text = _("{distance} {sport}, {elapsed}, {swimming} swimming").format(
            distance=voice.distance(activity.distance_m), sport=sport,
            elapsed=format_duration(activity.elapsed_s), swimming=voice.clock(swimming))
    elif activity.distance_m > 0:
        text = _("{distance} {sport}, {duration}").format(
            distance=voice.distance(activity.distance_m), sport=sport, duration=duration)
    else:
        text = _("{sport}, {duration}").format(sport=sport, duration=duration)
    return Classification(Workout.CROSS_TRAINING, SURE, text)


def swimming_s(activity: Activity) -> float | None:
    """Seconds a swim spent swimming, when its rests at the wall add up to a minute or
    more: a pool swim lasts its elapsed time, rests included, and Strava's moving time (or
    the device's laps without distance, its rests) says how much of it was swimming
    (issue 20: a swim "reported as 12:20 min that lasted 31 min"). None for other sports
    and for swims without such rests."""
    if activity.sport != "Swim" or activity.elapsed_s <= 0:
        return None
    rests = sum(lap.elapsed_s for lap in activity.laps if lap.distance_m <= 0)
    swimming = min(activity.moving_s or activity.elapsed_s, activity.elapsed_s - rests)
    return swimming if 0 < swimming <= activity.elapsed_s - SWIM_REST_S else None


def _unusable_run(activity: Activity, profile: AthleteProfile,
                  voice: Voice) -> Classification | None:
    _ = voice.gettext
    moving, distance = activity.moving_s, activity.distance_m
    if not (math.isfinite(moving) and math.isfinite(distance)):
        return Classification(Workout.OTHER, SURE, _("time or distance is missing"))
    if 0 < moving < MIN_RUN_S and distance >= MIN_RUN_M:
        return _implausible_speed(activity, profile, voice) or Classification(
            Workout.RACE, GUESS, _("{distance} in {time} at {pace}, a race or time trial's "
                                   "speed").format(distance=voice.distance(distance),
                                                   time=voice.clock(moving),
                                                   pace=voice.pace(activity.speed)))
    if moving < MIN_RUN_S:
        return Classification(Workout.OTHER, SURE, _(
            "run of {duration}: too short to judge").format(duration=format_duration(moving)))
    if distance <= 0:
        return Classification(Workout.OTHER, SURE, _(
            "{duration} with no distance recorded").format(duration=format_duration(moving)))
    if distance < MIN_RUN_M:
        return Classification(Workout.OTHER, SURE, _(
            "run of {distance}: too short to judge").format(distance=voice.distance(distance)))
    return _implausible_speed(activity, profile, voice)


def _implausible_speed(activity: Activity, profile: AthleteProfile,
                       voice: Voice) -> Classification | None:
    """A ride saved as a run, a climb at a walk, or a speed that only a glitch makes."""
    _ = voice.gettext
    moving, distance = activity.moving_s, activity.distance_m
    values = {"distance": voice.distance(distance), "pace": voice.pace(activity.speed)}
    glitch = Classification(Workout.OTHER, SURE, _(
        "{distance} in {duration} is not a running speed ({pace}): probably a recording "
        "glitch").format(duration=format_duration(moving), **values))
    if plausibility.moves_like_a_ride(activity) and _running_steps(activity):
        return _by_time(activity, profile, voice) or glitch
    if plausibility.moves_like_a_ride(activity):
        total, fast = plausibility.ride_kilometres(activity)
        if fast < plausibility.RIDE_KM_SHARE * total:
            wheeled = plausibility.wheeled_kilometres(activity)
            return Classification(Workout.CROSS_TRAINING, LIKELY, voice.ngettext(
                "{distance}, {fast} of {total} kilometre faster than the 1 km world record: "
                "a ride, not a run",
                "{distance}, {fast} of {total} kilometres faster than the 1 km world record: "
                "a ride, not a run", total).format(fast=wheeled, total=total, **values))
        return Classification(Workout.CROSS_TRAINING, LIKELY, voice.ngettext(
            "{distance}, {fast} of {total} kilometre faster than the 10 km world record: "
            "a ride, not a run",
            "{distance}, {fast} of {total} kilometres faster than the 10 km world record: "
            "a ride, not a run", total).format(fast=fast, total=total, **values))
    low, high = RUN_SPEED_RANGE
    climbed = plausibility.effort_speed(activity) >= plausibility.CLIMB_RUN_SPEED
    if activity.speed < low and not climbed and (
            plausibility.climb_per_km(activity) >= plausibility.STEEP_M_PER_KM):
        return Classification(Workout.OTHER, LIKELY, _(
            "{distance} at {pace} with {climb} of climbing: a climb at a walk, not judged as "
            "a run").format(climb=voice.elevation(activity.ascent_m or 0.0), **values))
    if (activity.speed < low and not climbed) or activity.speed > high:
        return glitch
    return None


def _running_steps(activity: Activity) -> bool:
    """Whether most moving samples carry a running cadence in steps per minute."""
    streams = activity.streams
    if streams is None or streams.cadence is None:
        return False
    cadence = streams.cadence[streams.moving & np.isfinite(streams.cadence)]
    low, high = plausibility.RUN_STEPS_PER_MIN
    return cadence.size > 0 and float(np.mean((cadence >= low) & (cadence <= high))) >= (
        RUN_STEPS_SHARE)


def _by_time(activity: Activity, profile: AthleteProfile,
             voice: Voice) -> Classification | None:
    """A run whose distance is wrong, judged by its duration alone: long, or not judged."""
    if activity.moving_s < profile.long_run_s:
        return None
    _ = voice.gettext
    summary = _("{duration} of {sport}").format(duration=format_duration(activity.moving_s),
                                                sport=voice.sport(activity.sport))
    typical = typical_run(replace(activity, distance_m=0.0), profile, voice)
    return Classification(Workout.LONG, GUESS, _("{summary}, {typical}").format(
        summary=summary, typical=typical))


def _athlete_word(activity: Activity, result: Classification, voice: Voice) -> Classification:
    """Strava's "workout" tag on a run the data show as steady: the tag is said, and no
    structure the data do not show is made up for it."""
    if activity.workout_type != STRAVA_RUN_WORKOUT or result.workout not in STEADY:
        return result
    return Classification(result.workout, GUESS, voice.gettext(
        "tagged a workout on Strava; the data show no structure: {evidence}").format(
        evidence=result.evidence))
