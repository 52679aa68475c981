"""The rules that read a run's bouts: regular repeats (intervals, sprints), strides at
the end of an easy run, and the loose surges of a fartlek.
"""

from __future__ import annotations

import numpy as np

from analysis import efforts as efforts_module
from analysis.efforts import Efforts, Piece
from analysis.evidence import Case, about, cv, hard
from analysis.model import Classification, FloatArray, Workout
from analysis.rules import CLEAR, GUESS, LIKELY, steady
from analysis.units import format_duration
from analysis.voice import N_

#: Fewest bouts that make repeats or fartlek.
MIN_REPS = 3
#: ... except long repeats, of which two make a session (2 x 2 km, 2 x 5 min: Daniels'
#: I-pace work is run in reps of 3-5 min, and two of them with a rest between are no
#: steady run): bouts of at least this many seconds each.
TWO_REPS_MIN_S = 180.0
#: Sprint bouts last under about 45 s (alactic and glycolytic efforts; the contract).
SPRINT_MAX_S = 45.0
#: ... and none over a minute: longer ones make a fartlek or intervals.
SPRINT_LONGEST_S = 60.0
#: Sprints are run at least this multiple of the jogging pace: the labelled sprint sets beat
#: their jog 1.84-3.2 times, the interval sessions read as sprints 1.5-2.0 times, while a 10 km
#: road race's GPS swings to 3:19-3:39/km beat its 4:47/km "jog" 1.36 times and read as
#: "7 x 15 s-55 s ... sprints" at 1.35 (tests/data/blind-2026-12z).
SPRINT_RATIO = 1.45
#: ... and at least this multiple of the athlete's threshold speed: a sprint is run at R
#: pace or faster (Daniels: 10 km pace is about 1.03x T pace, R pace 1.13-1.16x), so a
#: "sprint" at easy pace is a run/walk or a GPS swing, and one at 5-10 km pace a pickup
#: (tests/data/history: four pickups of 15-60 s at 4:39-4:50/km in a 6:25/km run,
#: 2021-03-14, read as sprints at 1.05x).
SPRINT_OVER_THRESHOLD = 1.13
#: Without a pace history, the population threshold (4:30/km) would deny a slow runner
#: their sprints; then sprints need only beat 4:45/km, which no adult's easy running
#: nor a walker's GPS swing reaches (the jogging pace test still applies).
SPRINT_MIN_SPEED = 3.5
#: Sprint paces vary by less than this CV: all-out efforts fade a little over a set,
#: not by a minute per kilometre.
SPRINT_PACE_CV = 0.15
#: Sprint recoveries last at most this long (s): phosphocreatine is 90 % restored within
#: 3-4 min, but work on top speed (flat-out 60-150 m) rests fully, a minute or more per
#: 10 m sprinted (tests/data/blind-2026-12h: 75-166 m flat out on 5-7 min walks, read as an
#: easy run); longer pauses are not part of a sprint set ...
SPRINT_MAX_REST_S = 480.0
#: ... and, for sprints of half a minute or more, at least this multiple of them: flat-out
#: running rests fully, R-pace repeats two to three times as long as they last (Daniels),
#: while 200 m reps on recoveries no longer than themselves are interval work
#: (tests/data/blind-2026-12z: 2 x 10 x 200 m in 41-54 s on 40 s, read as sprints). Shorter
#: bursts are strides or sprints whatever their rest (15 s on 15 s or on 45 s), and bouts
#: found in the streams start and end a few seconds from the reps, so this holds from
#: SPRINT_FULL_REST_S on.
SPRINT_REST_RATIO = 1.5
SPRINT_FULL_REST_S = 30.0
#: ... and the breaks between sets last at most this long (s): coaches set 3-6 min between
#: sets (hill sprints of tests/data/blind-2026-12f: 4-5.5 min), and after ten minutes the
#: next sprint needs a warm-up of its own. Bursts further apart are no set (a phone's GPS
#: jumping after standstills, 14 and 90 min apart, in the afternoon in town after a run of
#: tests/data/history, 2021-01-17).
SPRINT_SET_BREAK_S = 600.0
#: Short bouts starting after this share of a run, with steady running before them,
#: are strides at the end of an easy run (coaches add 4-8 x 15-20 s to an easy day).
STRIDES_AFTER_SHARE = 0.6
#: ... provided the run before them lasted at least this long (s).
STRIDES_EASY_S = 15 * 60.0
#: ... and there are at most this many of them.
STRIDES_MAX = 10
#: Strides last 15-30 s each (Daniels: 20-30 s of quick, relaxed running, a minute's jog or
#: walk between): a set whose median bout is this short is strides, even when a bout runs
#: longer because the runner built into the first stride from the jog or ran the last into
#: the cool-down (tests/data/blind-2026-12d: six 20 s strides after 45 easy minutes, the
#: first merged with its build-up into 70 s, read as intervals).
STRIDE_S = 30.0
#: Intervals rest at least this long between repeats (s); shorter dips are part of
#: one effort (a bend, a water bottle). The shortest planned recovery is Billat's 30-30
#: (30 s on, 30 s off), which laps and bouts measure at 27-31 s (tests/data/blind-2026-12h:
#: 2 x (4 x 200 m on 30 s), its median recovery 29.7 s, read as an easy run).
MIN_RECOVERY_S = 25.0
#: Interval and repetition recoveries last at least this share of the repeat (Daniels: a jog
#: about as long as an I-pace repeat, two to three times an R-pace one; a cruise interval's
#: minute per 5 min is a fifth).
INTERVAL_REST_SHARE = 0.25
#: Fartlek surges last 30 s or more (Holmér's fartlek: surges of a minute or several)
#: and add up to a few minutes; shorter blips in a steady run are terrain or GPS.
FARTLEK_MEDIAN_S = 30.0
#: The surges of a fartlek add up to at least this many seconds.
FARTLEK_MIN_WORK_S = 240.0
#: ... and fill at least this share of the stretch from the first to the last: a
#: fartlek is a session of surges (1:1 to 1:3 work to float), where four pickups
#: scattered over an hour are the terrain of an easy run.
FARTLEK_DENSITY = 0.2
#: A fartlek floats between surges for a minute or a few (Holmer's sessions alternate
#: surges of 1-4 min with floats as long); a median float over this (s) is a steady run
#: with a pickup now and then.
FARTLEK_MAX_FLOAT_S = 300.0
#: Fartlek is play with speed: each of its surges is faster over the ground than the
#: floats between them by at least the smallest step between Daniels' training paces (M
#: to T pace, 5-6 %). Stretches that are fast only once grade-adjusted, no faster over
#: the ground than the running around them, are the climbs of a hilly run, and the
#: running between stops at lights is no surge: in the labelled sets the slowest surge
#: of every fartlek and interval session is 1.14-3.0 times the median float, of the
#: steady runs read as fartlek 0.87-0.96 times. Interval repeats must beat their
#: recoveries by as much (:func:`repeats`).
FARTLEK_GROUND_RATIO = 1.05
#: ... and, at their median, the session's running as a whole (its median speed over the
#: ground, walks and standstills left out) by as much: in a run/walk the "surges" are the
#: running between walks, in a hilly easy run the running resumed after walking a climb, no
#: faster than the run's own kilometres on the flat (tests/data/blind-2026-12z: 5:49-6:20/km
#: after two kilometres at 5:55/km, read as a fartlek). In the labelled sets the steady runs,
#: run/walks and hill sessions read as fartlek beat their running by 0.93-1.03 times, the
#: fartleks and interval sessions read as fartlek by 1.06-1.77 times.
FARTLEK_OVER_RUN = 1.05
#: Floats of a minute or two do not bring the heart rate down (Billat's 30-30 holds it near
#: its maximum from the fifth repeat on), so a session of many short surges on short floats
#: reads, in the heart rate alone, as one block in the hard zone: "40:19 min continuous at
#: 87-99 % of max HR" of 10 x (30 s + 60 s) on jogs as long (tests/data/blind-2026-12p). At
#: least this many surges ...
MANY_SURGES = 6
#: ... whose median surge and median float last this long (s) or less are read before that
#: block, as the surges they are.
SHORT_SURGE_S = 120.0
#: Interval recoveries last at most this multiple of the repeat: Daniels' I-pace work
#: rests about as long as the repeat, R-pace work two to three times as long; 75 s
#: "repeats" with 8 min between them are pickups in a steady run.
MAX_REST_RATIO = 4.0
#: ... and at most this long (s): after 5-6 min at rest heart rate and lactate are back
#: at baseline (the labelled sessions here rest 1-5 min); "repeats" 10 min apart are
#: separate efforts in a steady run.
MAX_REST_S = 360.0
#: Repeats are regular when their durations (or distances) vary by less than this CV.
REGULAR_CV = 0.3
#: Repeats and recoveries that vary by less than this CV both were run to a plan, so
#: recoveries longer than MAX_REST_S are floats of the session (4 x 1 km with 2 km
#: floats), not separate efforts in a steady run; MAX_REST_RATIO still bounds them. The
#: pickups of the steady runs of shared/data/real rest irregularly (rest CV 0.3-1.5).
PLANNED_CV = 0.15
#: Recoveries show that plan only when there are at least this many to compare: a single
#: recovery has nothing to vary against, so its CV of 0 proves nothing.
PLANNED_MIN_RESTS = 2
#: ... their recoveries by less than this CV (coaches set fixed rests; fartlek floats)
RECOVERY_CV = 0.35
#: ... and their paces by less than this CV: repeats are run at one target pace, give
#: or take a hill (the last two of the labelled 4 x 6 min file are 13 % slower uphill).
PACE_CV = 0.1
#: A ladder or pyramid (400-800-1200 m, 1-2-3-2-1 min) varies its repeats' lengths but
#: runs them at one pace: with at least this many repeats ...
LADDER_MIN_REPS = 4
#: ... whose paces vary by less than this CV (the 400-400-800-800-400 m track session of
#: tests/data/blind-2026-12: 0.018; surges read as fartlek in shared/data/real: 0.06-0.08;
#: the pickups of steady runs vary 0.01-0.09, but rest minutes apart and irregularly), ...
LADDER_PACE_CV = 0.03
#: ... and whose recoveries are regular or in step with the repeats (rest over repeat
#: varies by less than this CV: 0.14 in that session, a coach's "float the same
#: distance"; 0.28-1.8 between the pickups of steady runs and rides), the repeats are
#: intervals whatever their lengths.
LADDER_REST_RATIO_CV = 0.2
#: A ladder's short repeats are run faster than its long ones at the same effort: the
#: speed a runner holds falls with the length of the effort (Riegel 1981: time grows as
#: distance to the power 1.06, so speed as distance to the power -0.06). Ladder paces are
#: compared after scaling each repeat's speed by its length to this power.
RIEGEL_EXPONENT = 0.06
#: A session of sets (12 x 400 m then 10 x 200 m; 2 x 800, 6 x 400, 6 x 200 m) changes
#: the length of its repeats from one set to the next: a repeat more than this factor
#: longer or shorter than the set's repeats so far starts a new set ...
SET_STEP = 1.4
#: ... each set holds at least this many repeats ...
SET_MIN_REPS = 2
#: ... and a session holds at most this many sets (coaches combine two to four rep
#: lengths; more changes than that are a pyramid, a ladder or loose surges).
MAX_SETS = 4
#: Sets of one sequence of lengths run again (3 x [100, 200, 300, 400 m]): a repeat at
#: most half as long as the one before starts the sequence again (a ladder run up starts
#: again from its short end; a set of equal repeats has no such drop) ...
SEQUENCE_RESTART = 2.0
#: ... and at least two sets share their first this many repeats, position by position
#: within the regularity of repeats (REGULAR_CV), holding most of the bouts (SEQUENCE_SHARE):
#: a fartlek's free surges do not come back in the same order of lengths.
SEQUENCE_MIN_REPS = 3
SEQUENCE_SHARE = 0.75
#: A long set on a phone's GPS loses a few recoveries to noise (two repeats merge) or
#: gains a blip (a repeat splits): with at least this many repeats ...
NOISY_MIN_REPS = 6
#: ... the set is regular when this share of its repeats, and of its recoveries, lie
#: within NOISY_FACTOR of their medians and are regular among themselves (23 x 45 s
#: with 45 s floats under 0.9 m/s of GPS noise keeps 81 % of its repeats and 70 % of its
#: recoveries; of the labelled sets only interval, sprint and race files pass, no
#: steady run) ...
NOISY_SHARE = 0.65
#: ... (a merged pair of repeats is twice the median, a split one half of it).
NOISY_FACTOR = 1.5
#: Repeats are named by distance ("8 x 400 m") when their distances vary clearly less
#: than their durations, by time ("4 x 6 min") otherwise.
DISTANCE_NAMING_CV = 0.7
#: ... and their durations vary by at least this CV: repeats run to the watch vary by
#: a second or two, repeats run to a distance by the pace of each.
VARYING_CV = 0.02
#: Repeats are named by one size ("9 x 4 min") only when each is within this share of it;
#: otherwise by their range ("9 x 1:45 min-4:15 min": a track session of 400-880 m reps of
#: tests/data/blind-2026-12f was "9 x 4 min", regular enough to be repeats, not to be named
#: by one of them).
NAMED_WITHIN = 0.25
#: Repeats shorter than this (m) are named by time: nobody runs "8 x 50 m" to the metre.
DISTANCE_NAMING_MIN_M = 100.0


def repeats(case: Case) -> Classification | None:
    """Sprints, intervals, or an easy run finished with strides."""
    efforts = case.features.efforts
    bouts = efforts.bouts
    if len(bouts) < MIN_REPS and not _two_long_reps(bouts):
        return None
    seconds = np.array([b.seconds for b in bouts])
    if np.median(seconds) <= STRIDE_S and _strides(case):
        return _with_strides(case)
    if np.median(seconds) < SPRINT_MAX_S and np.max(seconds) <= SPRINT_LONGEST_S:
        if _strides(case):
            return _with_strides(case)
        if _sprints(case):
            return Classification(Workout.SPRINTS, CLEAR, _reps_text(efforts, case))
        # Short repeats that are no sprint set may still be intervals: a fast runner's 200 m
        # take 30 s, run at R pace on 30-70 s jogs (tests/data/blind-2026-12h: 2 x (4 x 200 m
        # on 30 s) and 12 + 4 x 200 m, sets an 18-23 min break apart, read as easy runs). They
        # are as fast as sprints, though: 20-40 s swings of a phone's GPS at 4:55-5:57/km
        # in a 7:43/km run are no 200 m repeats (tests/data/history, 2020-09-06).
        if not _sprint_fast(case):
            return None
    structured = _regular(efforts) or _stood_between(efforts, case.profile.easy_speed)
    if not structured or not hard(bouts, case, repeated=_interval_rests(efforts)):
        return None
    # Interval repeats are run at I or R pace and their recoveries jogged or walked, far
    # slower over the ground: "repeats" no faster over the ground than the "recoveries"
    # between them, fast only once grade-adjusted, are the rises of a steady run over
    # small hills (tests/data/blind-2026-12d: reps at 5:26-5:49/km, jogs at 5:27-5:38/km).
    if not _faster_over_ground(efforts):
        return None
    return Classification(Workout.INTERVALS, CLEAR, _reps_text(efforts, case))


def _interval_rests(efforts: Efforts) -> bool:
    """Whether the recoveries last INTERVAL_REST_SHARE of the repeats or more, as those of
    interval and repetition work do: a steady run's stops at lights are far shorter than the
    running between them (30 s standing in a steady run of 6-9 min stretches)."""
    rests = [g.seconds for g in efforts.gaps]
    repeat = float(np.median([b.seconds for b in efforts.bouts]))
    return bool(rests) and float(np.median(rests)) >= INTERVAL_REST_SHARE * repeat


def _two_long_reps(bouts: tuple[Piece, ...]) -> bool:
    return len(bouts) == 2 and min(b.seconds for b in bouts) >= TWO_REPS_MIN_S


def _sprints(case: Case) -> bool:
    """Short bouts clearly fast for the session and for the athlete, with short rests."""
    efforts = case.features.efforts
    speeds = np.array([b.speed for b in efforts.bouts])
    rests = [g.seconds for g in efforts.gaps]
    sprint = float(np.median([b.seconds for b in efforts.bouts]))
    least = SPRINT_REST_RATIO * sprint if sprint >= SPRINT_FULL_REST_S else 0.0
    return (_sprint_fast(case)
            and cv(speeds) <= SPRINT_PACE_CV
            and (not rests or least <= float(np.median(rests)) <= SPRINT_MAX_REST_S)
            and max(rests, default=0.0) <= SPRINT_SET_BREAK_S)


def _sprint_fast(case: Case) -> bool:
    """Whether the bouts' median speed beats the jog by SPRINT_RATIO and the sprint floor."""
    efforts = case.features.efforts
    speed = float(np.median([b.speed for b in efforts.bouts]))
    return speed >= SPRINT_RATIO * efforts.jog_speed and speed >= _sprint_floor(case)


def _sprint_floor(case: Case) -> float:
    if case.profile.own_paces:
        return SPRINT_OVER_THRESHOLD * case.profile.threshold_speed
    return SPRINT_MIN_SPEED


def _strides(case: Case) -> bool:
    bouts = case.features.efforts.bouts
    first = bouts[0].start_s
    return (len(bouts) <= STRIDES_MAX and first >= STRIDES_EASY_S
            and first >= STRIDES_AFTER_SHARE * case.activity.elapsed_s)


def _with_strides(case: Case) -> Classification:
    confidence = LIKELY if case.profile.own_paces else GUESS
    run = steady(case.activity, case.profile, case.features.avg_hr_frac, confidence,
                 case.voice, case.features.max_hr)
    count = len(case.features.efforts.bouts)
    text = case.voice.ngettext("{evidence}, with {count} stride",
                               "{evidence}, with {count} strides", count).format(
        evidence=run.evidence, count=count)
    return Classification(run.workout, run.confidence, text)


def fartlek(case: Case) -> Classification | None:
    efforts = case.features.efforts
    bouts = efforts.bouts
    seconds = [b.seconds for b in bouts]
    if len(bouts) < MIN_REPS or float(np.median(seconds)) < FARTLEK_MEDIAN_S:
        return None
    float_s = float(np.median([g.seconds for g in efforts.gaps]))
    if not MIN_RECOVERY_S <= float_s <= FARTLEK_MAX_FLOAT_S:
        return None
    span = bouts[-1].start_s + bouts[-1].seconds - bouts[0].start_s
    if sum(seconds) < max(FARTLEK_MIN_WORK_S, FARTLEK_DENSITY * span) or not hard(bouts, case):
        return None
    if not (_faster_over_ground(efforts) and _beat_the_run(case)):
        return None
    shortest, longest = (format_duration(about(t)) for t in (min(seconds), max(seconds)))
    lengths = shortest if shortest == longest else f"{shortest}-{longest}"
    pace = case.paces(b.pace_speed for b in bouts)
    return Classification(Workout.FARTLEK, LIKELY, _surges_text(case, lengths, pace))


def _surges_text(case: Case, lengths: str, paces: str) -> str:
    """``5 surges of 50 s-2 min at 4:02-5:05/km, irregular recoveries``; the recoveries are
    called irregular only when they vary more than repeats' may (RECOVERY_CV), else named as
    the repeats' are: a fartlek's floats may be as even as a plan's (two floats of 38 and 46 s
    called irregular in tests/data/blind-2026-12p)."""
    efforts = case.features.efforts
    count = len(efforts.bouts)
    rests = np.array([g.seconds for g in efforts.gaps])
    if cv(rests) > RECOVERY_CV:
        return case.voice.ngettext(
            "{count} surge of {lengths} at {paces}, irregular recoveries",
            "{count} surges of {lengths} at {paces}, irregular recoveries",
            count).format(count=count, lengths=lengths, paces=paces)
    text = case.voice.ngettext("{count} surge of {lengths} at {paces}",
                               "{count} surges of {lengths} at {paces}",
                               count).format(count=count, lengths=lengths, paces=paces)
    rest = format_duration(about(float(np.median(rests))))
    return case.voice.gettext(_rest_kind(efforts.gaps)).format(text=text, rest=rest)


def short_surges(case: Case) -> Classification | None:
    """A fartlek of many short surges (MANY_SURGES, SHORT_SURGE_S), which the heart rate
    alone would read as one tempo block."""
    efforts = case.features.efforts
    if len(efforts.bouts) < MANY_SURGES:
        return None
    surge = float(np.median([b.seconds for b in efforts.bouts]))
    float_s = float(np.median([g.seconds for g in efforts.gaps]))
    return fartlek(case) if max(surge, float_s) <= SHORT_SURGE_S else None


def _beat_the_run(case: Case) -> bool:
    """Whether the surges, over the ground, beat the session's running (FARTLEK_OVER_RUN)."""
    running = case.features.running_speed
    surges = float(np.median([b.pace_speed for b in case.features.efforts.bouts]))
    return running is None or surges >= FARTLEK_OVER_RUN * running


def _faster_over_ground(efforts: Efforts) -> bool:
    # A standstill's few moving seconds are GPS drift, whose "pace" says nothing: only the
    # recoveries the runner moved through are floats.
    floats = [g.pace_speed for g in efforts.gaps if not g.stood]
    if not floats:
        return True
    slowest = min(b.pace_speed for b in efforts.bouts)
    return slowest >= FARTLEK_GROUND_RATIO * float(np.median(floats))


def _regular(efforts: Efforts) -> bool:
    seconds = np.array([b.seconds for b in efforts.bouts])
    metres = np.array([b.metres for b in efforts.bouts])
    rests = np.array([g.seconds for g in efforts.gaps])
    rest = float(np.median(rests)) if rests.size else 0.0
    longest = MAX_REST_RATIO * float(np.median(seconds))
    # Fixed rests show a plan only when there are two or more to compare: one "recovery"
    # between two fast stretches is as regular as any, and 28 min between two fast miles
    # are the rest of a run between two descents (tests/data/blind-2026-12d), not a float.
    if rests.size < PLANNED_MIN_RESTS or max(cv(seconds), cv(rests)) > PLANNED_CV:
        longest = min(MAX_REST_S, longest)
    if not MIN_RECOVERY_S <= rest <= longest:
        return False
    if cv(np.array([b.speed for b in efforts.bouts])) > PACE_CV:
        return False
    return (min(cv(seconds), cv(metres)) <= REGULAR_CV and cv(rests) <= RECOVERY_CV
            or _ladder(efforts) or _mostly_regular(seconds, rests) or _sets(seconds, rests)
            or _repeated_sequence(seconds) or _stepped_on_fixed_rests(seconds, rests)
            or _two_planned_sets(seconds, rests))


def _stood_between(efforts: Efforts, easy_speed: float) -> bool:
    """Repeats at one pace (PACE_CV) with a standstill after most of them, whatever their
    lengths: a fartlek floats at a run between its surges (Holmér), so efforts the runner
    stopped after are repeats, even of mixed lengths (tests/data/blind-2026-12h: 5 x 800 m
    and 2 x 400 m in the order 800, 800, 400, 800, ..., read as fartlek).

    A walk counts as a stop when the repeats were run at interval pace, BOUT_MIN_RATIO over
    ``easy_speed`` (Daniels' I and R paces are 20-40 % faster than easy): a track ladder of
    800-400-200 m at 3:07-3:44/km, each rep walked off or stood after (tests/data/
    blind-2026-12y). The running of a run/walk is no faster than easy running."""
    gaps, bouts = efforts.gaps, efforts.bouts
    if len(bouts) < MIN_REPS:
        return False
    fast = float(np.median([b.pace_speed for b in bouts])) >= (
        efforts_module.BOUT_MIN_RATIO * easy_speed)
    standing = sum(g.walked if fast else g.stood for g in gaps)
    rest = float(np.median([g.seconds for g in gaps]))
    return (2 * standing > len(gaps) and MIN_RECOVERY_S <= rest <= MAX_REST_S
            and cv(np.array([b.speed for b in bouts])) <= PACE_CV)


def _stepped_on_fixed_rests(seconds: FloatArray, rests: FloatArray) -> bool:
    """A ladder or pyramid of lengths (each repeat longer than the one before, or shorter, or
    up then down) on recoveries of one length (PLANNED_CV): a coach's cut-down, whose short
    repeats run faster than the ladder's one pace allows (tests/data/blind-2026-12h: 1200,
    1000, 800, 600 and 400 m on 2:30 jogs, the 400 m at 2:29/km and the rest at 2:55-3:00,
    read as fartlek). A fartlek's floats are free."""
    if seconds.size < LADDER_MIN_REPS or rests.size < PLANNED_MIN_RESTS + 1:
        return False
    if cv(rests) > PLANNED_CV:
        return False
    steps = np.sign(np.diff(seconds))
    turns = np.count_nonzero(np.diff(steps[steps != 0]))
    return bool(np.all(steps != 0)) and (turns == 0 or turns == 1 and steps[0] > 0)


def _two_planned_sets(seconds: FloatArray, rests: FloatArray) -> bool:
    """Two sets of three repeats or more, each on recoveries of one length (PLANNED_CV) and of
    repeats of one length or a ladder, the rest between the sets free: 1200-1000-800-600-400 m on
    2:30 jogs, then 3 x 200 m on 70 s (tests/data/blind-2026-12h's tz-14930391355, whose
    200 m had been cut off as odd ones out)."""
    for split in range(PLANNED_MIN_RESTS + 1, seconds.size - PLANNED_MIN_RESTS):
        parts = ((seconds[:split], rests[:split - 1]), (seconds[split:], rests[split:]))
        if all(_planned_set(lengths, within) for lengths, within in parts):
            return True
    return False


def _planned_set(seconds: FloatArray, rests: FloatArray) -> bool:
    """Repeats of one length on rests of one length (PLANNED_MIN_RESTS of them or more, for one
    rest is as regular as any), or a ladder on them."""
    if rests.size < PLANNED_MIN_RESTS or cv(rests) > PLANNED_CV:
        return False
    return cv(seconds) <= REGULAR_CV or _stepped_on_fixed_rests(seconds, rests)


def _sets(seconds: FloatArray, rests: FloatArray) -> bool:
    """Consecutive sets of repeats, each regular in its repeats and its rests, the rest
    between two sets free (a coach often gives a longer one)."""
    groups: list[list[int]] = [[0]]
    for i in range(1, seconds.size):
        median = float(np.median(seconds[groups[-1]]))
        if median / SET_STEP <= seconds[i] <= median * SET_STEP:
            groups[-1].append(i)
        else:
            groups.append([i])
    if not 2 <= len(groups) <= MAX_SETS or min(len(g) for g in groups) < SET_MIN_REPS:
        return False
    for group in groups:
        within = rests[group[0]:group[-1]]  # the rests after each repeat but the set's last
        if cv(seconds[group]) > REGULAR_CV or (within.size > 1 and cv(within) > RECOVERY_CV):
            return False
        # The break between two sets is free, but no shorter than the rests inside the sets
        # beside it: two climbs of a hilly run with 9 min of walking after the second are no
        # set (tests/data/blind-2026-12n: "4 x 70 s-3:30 min ..., 70 s jog recoveries").
        beside = rests[[i for i in (group[0] - 1, group[-1]) if 0 <= i < rests.size]]
        if within.size and float(np.max(within)) > SET_STEP * float(np.max(beside)):
            return False
    return True


def _repeated_sequence(seconds: FloatArray) -> bool:
    """Sets that run one sequence of repeat lengths again, each set starting where a repeat
    is at most half the one before (SEQUENCE_RESTART): a track session of three sets of a
    stride, 200, 300 and 400 m (tests/data/blind-2026-12f: reps of 16-99 s whose lengths
    change every time, read as fartlek)."""
    groups: list[list[float]] = [[float(seconds[0])]]
    for before, now in zip(seconds, seconds[1:], strict=False):
        if now * SEQUENCE_RESTART <= before:
            groups.append([])
        groups[-1].append(float(now))
    sets = [g for g in groups if len(g) >= SEQUENCE_MIN_REPS]
    if len(sets) < 2 or sum(len(g) for g in sets) < SEQUENCE_SHARE * seconds.size:
        return False
    return all(cv(np.array([g[i] for g in sets])) <= REGULAR_CV
               for i in range(SEQUENCE_MIN_REPS))


def _mostly_regular(seconds: FloatArray, rests: FloatArray) -> bool:
    """A long set whose repeats and recoveries are regular but for a few that noise merged
    or split."""
    return (seconds.size >= NOISY_MIN_REPS and _core_regular(seconds, REGULAR_CV)
            and _core_regular(rests, RECOVERY_CV))


def _core_regular(values: FloatArray, limit: float) -> bool:
    median = float(np.median(values))
    core = values[(values >= median / NOISY_FACTOR) & (values <= median * NOISY_FACTOR)]
    return core.size >= NOISY_SHARE * values.size and cv(core) <= limit


def _ladder(efforts: Efforts) -> bool:
    """Repeats of several lengths at one pace or one effort, with regular rests or rests in
    step."""
    bouts = efforts.bouts
    lengths = np.array([b.seconds for b in bouts])
    # A coach sets one pace for all the lengths ("all at 5 km pace") or one effort, the
    # short repeats then faster (RIEGEL_EXPONENT); over the ground on the flat, or
    # grade-adjusted on hills, where a road's GPS altitude can make either the noisier.
    scale = (lengths / np.median(lengths)) ** RIEGEL_EXPONENT
    readings = (np.array([b.speed for b in bouts]), np.array([b.pace_speed for b in bouts]))
    spread = min(cv(speeds * factor) for speeds in readings for factor in (1.0, scale))
    if len(bouts) < LADDER_MIN_REPS or spread > LADDER_PACE_CV:
        return False
    seconds = lengths[:-1]
    rests = np.array([g.seconds for g in efforts.gaps])
    return cv(rests) <= RECOVERY_CV or cv(rests / seconds) <= LADDER_REST_RATIO_CV


def _reps_text(efforts: Efforts, case: Case) -> str:
    """``4 x 6 min at 3:39-4:13/km, 3 min jog recoveries``."""
    bouts = efforts.bouts
    seconds = np.array([b.seconds for b in bouts])
    metres = np.array([b.metres for b in bouts])
    by_distance = (cv(metres) < DISTANCE_NAMING_CV * cv(seconds)
                   and cv(seconds) >= VARYING_CV
                   and np.median(metres) >= DISTANCE_NAMING_MIN_M)
    size = (case.distance(round(float(np.median(metres)), -2)) if by_distance
            else format_duration(about(float(np.median(seconds)))))
    if not _one_size(metres if by_distance else seconds):
        shortest, longest = (format_duration(about(t)) for t in (min(seconds), max(seconds)))
        size = f"{shortest}-{longest}"
    _ = case.voice.gettext
    text = _("{count} x {size} at {paces}").format(
        count=len(bouts), size=size, paces=case.paces(b.pace_speed for b in bouts))
    if not efforts.gaps:
        return text
    rest = format_duration(about(float(np.median([g.seconds for g in efforts.gaps]))))
    return _(_rest_kind(efforts.gaps)).format(text=text, rest=rest)


def _one_size(values: FloatArray) -> bool:
    """Whether one size names every repeat: none further than NAMED_WITHIN from the median."""
    median = float(np.median(values))
    return bool(np.all(np.abs(values - median) <= NAMED_WITHIN * median))


def _rest_kind(gaps: tuple[Piece, ...]) -> str:
    """The recoveries' message: standing, walking or jogging between the repeats."""
    # Most recoveries, or their sum: one long break between sets, walked, outweighed a
    # dozen standing rests of 35 s.
    stood = sum(g.stood for g in gaps)
    moving = sum(g.moving_s for g in gaps) / max(sum(g.seconds for g in gaps), 1.0)
    if 2 * stood > len(gaps) or moving <= efforts_module.STOP_MOVING_FRACTION:
        return N_("{text}, {rest} standing recoveries")
    speed = float(np.median([g.pace_speed for g in gaps]))
    return (N_("{text}, {rest} walk recoveries") if speed < efforts_module.RUN_MIN_SPEED
            else N_("{text}, {rest} jog recoveries"))
