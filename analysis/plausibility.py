"""What a recording can be, by the limits of the human body: whether a generic activity
moved like a run, whether a "run" moved like a ride, whether a slow run was slow because
it climbed, and whether its heart rate can be effort at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from analysis.efforts import runs_of
from analysis.model import Activity, BoolArray, FloatArray, Lap, LeftOut, Streams

#: Sports on foot, whose stretches at a vehicle's speed are left out (as the parsers'
#: analysis.parsers.sports.ON_FOOT).
ON_FOOT = frozenset({"Run", "TrailRun", "VirtualRun", "Walk", "Hike"})
#: No one on foot holds more than this speed (m/s) for :data:`VEHICLE_S`: the 400 m world
#: record (van Niekerk 2016, 43.03 s) averages 9.30 m/s, and the 300 m best about 9.7.
#: A stretch faster than that for longer is a car, a train or a bike, or a GPS jump across
#: a lost fix (issue 20: a 16.8 km jump at about 170 km/h, 4 km at 53-69 km/h). The
#: parsers cap each step on foot at 12.5 m/s, so such stretches show at that cap. 9.5 m/s
#: (34 km/h) lies just above that record.
VEHICLE_SPEED = 9.5
#: ... for at least this many seconds: such a stretch leaves the run, time and all.
#: Shorter bursts are GPS jumps, a few seconds long, while the runner ran on: they keep
#: their time and count the pace held around them (adding no distance for every fast
#: step, time and all, turned a held-out long run into fartlek).
VEHICLE_S = 30
#: Seconds over which the parsers measure speed (analysis.parsers.resample.SPEED_WINDOW_S):
#: a burst of that speed above :data:`VEHICLE_SPEED` counts the pace around it all through.
SPEED_WINDOW_S = 5
#: A step faster than :data:`VEHICLE_SPEED` whose excess over the pace around it makes up
#: for steps shorter than that pace within this many seconds is a device's clock
#: jittering (a sample logged a second late), not a GPS jump: the distance over them all
#: is the runner's.
JITTER_S = 4
#: A ride saved as a run goes at such speeds again and again, down every descent (the rides
#: typed as runs of the blind batches: 12-54 stretches of 30 s or more); a run with a car,
#: a train or a lost GPS fix in it, a few times at most (the runpandas athlete's phone:
#: 2 and 3). More stretches than this leave the recording whole, for the classifier.
VEHICLE_MAX_STRETCHES = 5
#: A recording with at least this share of its distance at vehicle speed is not a run
#: with a glitch but a ride saved as a run: it is left whole, for :func:`moves_like_a_ride`
#: and the classifier's implausible-speed check to judge as a whole.
VEHICLE_MAX_SHARE = 0.5

#: Running cadence in steps per minute: recreational runners 150-170, elites 180-200
#: (Cavanagh & Kram 1989; Heiderscheit 2011); walking stays under about 130.
RUN_STEPS_PER_MIN = (140.0, 220.0)
#: Files of a generic sport count cadence per foot (Garmin's convention) or per step;
#: a cadence in this range is strides per minute, the same running cadence halved.
RUN_STRIDES_PER_MIN = (RUN_STEPS_PER_MIN[0] / 2, RUN_STEPS_PER_MIN[1] / 2 - 5.0)
#: Moving speeds (m/s) of running: from the walk-run transition (Hreljac 1993: about
#: 2 m/s, less for a trail jog) to the fastest pace anyone holds for an hour.
RUN_MOVING_SPEED = (1.8, 6.0)
#: A recording moved like a run when at least this share of its moving samples carry a
#: running cadence: warm-up walks, stops and sensor drop-outs take the rest.
RUN_CADENCE_SHARE = 0.6
#: The 10 km world record pace (Cheptegei 2020, 26:11) as a speed in m/s: no run holds it
#: for more than a few kilometres.
WORLD_RECORD_10K_SPEED = 10000.0 / 1571.0
#: The 1 km world record pace (Ngeny 1999, 2:11.96) as a speed in m/s: no runner covers a
#: whole kilometre faster.
WORLD_RECORD_1K_SPEED = 1000.0 / 131.96
#: A "run" with this many kilometres faster than the 1 km world record moved on wheels for
#: them, whatever its average: no run of the real sets (development, held-out, both blind
#: batches) has a single one, the parsers capping a GPS jump's distance, while rides have
#: 4-46 (a ride saved as a run with walks and stops: 12 of 44, at 4:00/km on average).
RIDE_SPRINT_KM = 3
#: A "run" with at least this share of its kilometres faster than that was a ride: a
#: phone's GPS jumps make a kilometre or two of a real run impossibly fast (4 of 15 in
#: one run of shared/data/history), wheels make most of them.
RIDE_KM_SHARE = 0.5
#: A ride moves for most of its elapsed time (the rides of shared/data/real: 85-100 %);
#: a sprint session on auto-pause, whose moving kilometres are at sprint speed, for 17 %.
RIDE_MOVING_SHARE = 0.6
#: Laps and splits this long (m) count as kilometres (GPS laps of 1 km land within a few
#: per cent of the mark).
FULL_KM_M = 950.0
#: Metres of flat running that one metre of climbing is worth (ITRA's "kilometre-effort":
#: 100 m of ascent counts as 1 km), so a mountain race is judged at its effort speed.
FLAT_M_PER_ASCENT_M = 10.0
#: A run slower than a brisk walk is a run only if it climbed: counting the climb as
#: flat distance, it is then at least a steady jog (2.5 m/s, 6:40/km), clearly above the
#: walk-run transition (about 2 m/s), so a hike saved as a run does not pass.
CLIMB_RUN_SPEED = 2.5
#: A recording slower than that which climbed at least this many metres per kilometre
#: (an 8 % average grade, steeper than any road race) went up a mountain at a walk: slow
#: because of the climb, not because of a recording glitch.
STEEP_M_PER_KM = 80.0
#: An optical sensor locked onto the cadence reports the step rate as heart rate: within
#: this many beats of the cadence (in steps per minute) ...
LOCK_BPM = 2.0
#: ... for at least this share of the moving samples. A true heart rate of 160-180 bpm
#: crosses a cadence of 160-180 spm now and then: 0-27 % of the samples of the real runs
#: of shared/data/real lie within 2 bpm of it.
LOCK_SHARE = 0.6
#: Samples needed before the heart rate is doubted, s.
LOCK_MIN_SAMPLES = 300
#: A median heart rate at or above this share of maximum is threshold work all the way
#: (Daniels' T zone starts at 88 %); at a pace slower than easy running it is a sensor's
#: misreading (cadence lock, a loose strap), not effort.
LOCKED_HR_FRAC = 0.9
#: ... on ground flatter than this, in metres of ascent per km: on trails the heart works
#: harder than even the grade-adjusted pace shows (power-hiking, rough ground), as on the
#: 40 m/km mountain run of shared/data/real, whose chest strap read 174-191 on its climb.
HILLY_M_PER_KM = 20.0


#: A heart rate that reads one value for this many seconds of running without a change is a
#: recording that repeats its last reading (a strap that lost contact, a file that wrote one
#: value into every point), not a heart: beat-to-beat variation and drift move a true one by a
#: beat within seconds. Over the 541 labelled recordings of tests/data, shared/data and the
#: blind batches, a working strap held one reading for at most 178 s; three files repeat one
#: for 9-16 min (tests/data/blind-2026-12p's do-sample.gpx, 15 min at one value).
HELD_READING_S = 300


@dataclass(frozen=True)
class HeartRateDoubt:
    """Why a recorded heart rate was set aside: it followed the cadence (``bpm`` None), it
    held ``bpm`` all the way at an easy pace, or it read ``bpm`` without a change for
    ``held_s`` seconds of running. The evidence words it in the athlete's language
    (analysis.evidence)."""

    bpm: float | None = None
    held_s: float | None = None
    #: The easy pace it was held at is the population's, not the athlete's own: a slower
    #: runner's race looks the same (tests/data/blind-2026-12u and blind-2026-12v: half
    #: marathons of 2:13-2:14 at a median of 172-184 bpm), so the evidence says it may be one.
    assumed_pace: bool = False


#: An optical sensor locked onto the cadence.
CADENCE_LOCK = HeartRateDoubt()


def heart_rate_doubt(streams: Streams, effort: FloatArray, max_hr: float,
                     easy_speed: float, climb_m_per_km: float = 0.0,
                     own_pace: bool = True) -> HeartRateDoubt | None:
    """Why the heart rate of a run is not to be believed, or None when it can be: an
    optical sensor locked onto the cadence, or a heart rate at threshold all the way at a
    pace slower than easy running.

    Parameters:
        effort: grade-adjusted speed per sample, m/s (0 where stopped).
        max_hr: the athlete's maximum heart rate.
        easy_speed: the athlete's (or the population's) easy pace, m/s.
        climb_m_per_km: the run's ascent per kilometre; on hilly ground only the
            cadence can discredit the heart rate.
        own_pace: ``easy_speed`` is the athlete's own, read from their runs (False: the
            population's).
    """
    hr = streams.heartrate
    if hr is None:
        return None
    moving = streams.moving & np.isfinite(hr)
    if np.count_nonzero(moving) < LOCK_MIN_SAMPLES:
        return None
    if streams.cadence is not None:
        both = moving & np.isfinite(streams.cadence) & (streams.cadence > 0)
        if np.count_nonzero(both) >= LOCK_MIN_SAMPLES:
            close = np.abs(hr[both] - streams.cadence[both]) <= LOCK_BPM
            if float(np.mean(close)) >= LOCK_SHARE:
                return CADENCE_LOCK
    held = _held_reading(hr, moving)
    if held is not None:
        return held
    running = effort[effort > 0]
    if running.size == 0:
        return None
    return _threshold_at_a_jog(float(np.median(hr[moving])), float(np.median(running)),
                               max_hr, easy_speed, climb_m_per_km, own_pace)


def _held_reading(hr: FloatArray, moving: BoolArray) -> HeartRateDoubt | None:
    """The longest stretch of running whose heart rate never changed, when it lasts
    HELD_READING_S or more."""
    same = np.concatenate(([False], moving[1:] & moving[:-1] & (hr[1:] == hr[:-1])))
    start, end = max(runs_of(same), key=lambda r: r[1] - r[0], default=(0, 0))
    seconds = float(end - start + 1)  # the first sample of the stretch is held too
    if end == start or seconds < HELD_READING_S:
        return None
    return HeartRateDoubt(bpm=float(hr[start]), held_s=seconds)


def summary_heart_rate_doubt(activity: Activity, max_hr: float, easy_speed: float,
                             own_pace: bool = True) -> HeartRateDoubt | None:
    """:func:`heart_rate_doubt` from a summary: its average heart rate and moving speed."""
    if activity.avg_hr is None or not np.isfinite(activity.avg_hr) or activity.speed <= 0:
        return None
    return _threshold_at_a_jog(activity.avg_hr, activity.speed, max_hr, easy_speed,
                               climb_per_km(activity), own_pace)


def _threshold_at_a_jog(heart_rate: float, speed: float, max_hr: float, easy_speed: float,
                        climb_m_per_km: float, own_pace: bool) -> HeartRateDoubt | None:
    if heart_rate >= LOCKED_HR_FRAC * max_hr and speed < easy_speed \
            and climb_m_per_km < HILLY_M_PER_KM:
        return HeartRateDoubt(heart_rate, assumed_pace=not own_pace)
    return None


def moves_like_a_run(activity: Activity) -> bool:
    """Whether a generic activity (a FIT 'generic' sport, TCX Sport=Other) was a run:
    its cadence is a running cadence and its moving speed a running speed."""
    streams = activity.streams
    if streams is None or streams.cadence is None:
        return False
    if not could_be_a_run(activity):
        return False
    cadence = streams.cadence[streams.moving & np.isfinite(streams.cadence)]
    if cadence.size == 0:
        return False
    running = _within(cadence, RUN_STEPS_PER_MIN) | _within(cadence, RUN_STRIDES_PER_MIN)
    return float(np.mean(running)) >= RUN_CADENCE_SHARE


def could_be_a_run(activity: Activity) -> bool:
    """Whether a summary's distance and moving time allow a run (its cadence would tell)."""
    low, high = RUN_MOVING_SPEED
    return activity.distance_m > 0 and low <= activity.speed <= high


def ride_kilometres(activity: Activity,
                    speed: float = WORLD_RECORD_10K_SPEED) -> tuple[int, int]:
    """How many whole kilometres a recording holds, and how many of them were covered
    (in moving time) faster than ``speed`` (m/s; the 10 km world record pace): from the
    streams, or else from the laps and splits of a kilometre or more."""
    streams = activity.streams
    if streams is None or len(streams) < 2:
        laps = [lap for lap in (*activity.laps, *activity.splits)
                if lap.distance_m >= FULL_KM_M and lap.moving_s > 0]
        return len(laps), sum(lap.speed > speed for lap in laps)
    distance = np.maximum.accumulate(np.nan_to_num(streams.distance, nan=0.0))
    marks = np.arange(0.0, distance[-1] + 1e-9, 1000.0)
    moving = np.cumsum(streams.moving)
    seconds = np.diff(moving[np.minimum(np.searchsorted(distance, marks), moving.size - 1)])
    fast = (seconds > 0) & (1000.0 / np.maximum(seconds, 1) > speed)
    return int(seconds.size), int(np.count_nonzero(fast))


def moves_like_a_ride(activity: Activity) -> bool:
    """Whether a recording said to be a run covered most kilometres faster than any runner,
    or several faster than any runner's fastest kilometre, moving most of the time (sprints
    with auto-paused walk-backs move at sprint speed)."""
    if activity.moving_s < RIDE_MOVING_SHARE * activity.elapsed_s:
        return False
    total, fast = ride_kilometres(activity)
    return total > 0 and (fast >= RIDE_KM_SHARE * total or wheeled_kilometres(activity) > 0)


def wheeled_kilometres(activity: Activity) -> int:
    """Kilometres faster than the 1 km world record, when there are RIDE_SPRINT_KM or more
    (fewer can be a glitch); else 0."""
    fastest = ride_kilometres(activity, WORLD_RECORD_1K_SPEED)[1]
    return fastest if fastest >= RIDE_SPRINT_KM else 0


def without_vehicle_stretches(activity: Activity) -> Activity:
    """``activity`` with only what a runner can have covered on foot.

    Stretches at a vehicle's speed (:data:`VEHICLE_SPEED` for :data:`VEHICLE_S` or more)
    leave the totals, the pace and the splits (the streams stand still there), and
    :attr:`Activity.left_out` says how much was left out. Shorter GPS jumps (the speed
    above :data:`VEHICLE_SPEED` for less than that) keep their time, the runner ran on,
    but not their distance: each step faster than that counts the pace held around the
    jump (:func:`_allowed`; steps beside it that make up for it, a device's clock
    jittering, let it keep what they lack), so no distance, pace, split or fastest
    effort holds it; a sprint at up to that speed stays as it was. The laps and Strava's
    splits lose what the streams lost inside them, and a lap still faster than
    :data:`VEHICLE_SPEED` is set aside. Without streams, laps at a vehicle's speed leave
    the totals the same way.

    Activities not on foot, or that moved like a ride (most kilometres faster than a
    runner, or vehicle speed again and again: a ride saved as a run, a treadmill's footpod
    on a wrong scale) or mostly at such speeds, are returned as they are, for the
    classifier to judge whole."""
    if activity.sport not in ON_FOOT:
        return activity
    streams = activity.streams
    if streams is None or len(streams) < 2:
        return _without_vehicle_laps(activity)
    if len(streams) < VEHICLE_S:
        return activity
    fast = np.nan_to_num(streams.speed, nan=0.0) > VEHICLE_SPEED
    starts, ends = _stretches(fast)
    long = (ends - starts) >= VEHICLE_S
    if np.count_nonzero(long) > VEHICLE_MAX_STRETCHES:
        return activity
    total_km, fast_km = ride_kilometres(activity)
    if total_km > 0 and fast_km >= RIDE_KM_SHARE * total_km:
        return activity
    out = _marked(len(streams), starts[long], ends[long])
    steps = np.diff(np.nan_to_num(streams.distance, nan=0.0), prepend=streams.distance[0])
    steps = np.clip(steps, 0.0, None)
    removed = float(np.sum(steps[out]))
    total = float(streams.distance[-1] - streams.distance[0])
    if total <= 0 or removed >= VEHICLE_MAX_SHARE * total:
        return activity
    burst = _jump_steps(steps, starts[~long], ends[~long]) & ~out
    # the first second has no step before it, whatever its speed
    stepped = streams.moving & (np.arange(len(streams)) > 0)
    kept_steps = np.where(out, 0.0, np.minimum(steps, _allowed(steps, stepped, out, burst)))
    jumps = ~out & (kept_steps < steps)
    if not out.any() and not jumps.any():
        return _without_impossible_laps(activity)
    distance = streams.distance[0] + np.cumsum(kept_steps)
    speed = np.where(out, 0.0, np.minimum(streams.speed, centred_speed(distance)))
    cleaned = replace(streams, distance=distance, speed=speed, moving=streams.moving & ~out)
    lost = steps - kept_steps
    lost_moving = (streams.moving & out).astype(np.float64)
    moving_out = float(np.sum(lost_moving))
    jumped = float(np.sum(lost[jumps]))
    if out.any():
        kept = float(distance[-1] - distance[0])
        left: LeftOut | None = LeftOut(distance_m=max(activity.distance_m - kept - jumped,
                                                      removed),
                                       seconds=float(np.count_nonzero(out)))
    else:
        kept, left = max(activity.distance_m - jumped, 0.0), activity.left_out
    return _without_impossible_laps(replace(
        activity, streams=cleaned, distance_m=kept,
        moving_s=max(activity.moving_s - moving_out, 0.0), left_out=left,
        laps=_less(activity.laps, lost, lost_moving),
        splits=_less(activity.splits, lost, lost_moving)))


def centred_speed(distance: FloatArray) -> FloatArray:
    """Speed over :data:`SPEED_WINDOW_S` centred seconds (fewer at the ends), as the
    parsers measure it (analysis.parsers.resample)."""
    n = distance.size
    half = SPEED_WINDOW_S // 2
    index = np.arange(n)
    hi, lo = np.minimum(index + half, n - 1), np.maximum(index - half, 0)
    span = (hi - lo).astype(np.float64)
    speed: FloatArray = np.divide(distance[hi] - distance[lo], span, out=np.zeros(n),
                                  where=span > 0)
    return speed


def _stretches(fast: BoolArray) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Starts and ends (exclusive) of the runs of True in ``fast``."""
    edges = np.diff(np.concatenate(([0], fast.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _marked(n: int, starts: NDArray[np.intp], ends: NDArray[np.intp]) -> BoolArray:
    marked = np.zeros(n, dtype=bool)
    for a, b in zip(starts, ends, strict=True):
        marked[a:b] = True
    return marked


def _jump_steps(steps: FloatArray, starts: NDArray[np.intp],
                ends: NDArray[np.intp]) -> BoolArray:
    """The one-second steps faster than :data:`VEHICLE_SPEED` that make the speed (a
    centred mean of :data:`SPEED_WINDOW_S` s) exceed it in a burst shorter than
    :data:`VEHICLE_S`: the steps ``a - half + 1`` to ``b + half`` of a burst ``[a, b)``."""
    half = SPEED_WINDOW_S // 2
    near = _marked(steps.size, np.maximum(starts - half + 1, 0),
                   np.minimum(ends + half, steps.size))
    jumps: BoolArray = near & (steps > VEHICLE_SPEED)
    return jumps


def _stand_in(steps: FloatArray, moving: BoolArray, jumps: BoolArray) -> FloatArray:
    """For each second of a jump, the mean pace (m/s) of the seconds run on foot within
    :data:`VEHICLE_S` of it: what a runner covered while the GPS jumped (0 where nothing
    around it was run). Faster steps and the :data:`JITTER_S` s beside each jump, which
    may make up for it, are not counted in it."""
    starts, ends = _stretches(jumps)
    beside = _marked(steps.size, np.maximum(starts - JITTER_S, 0),
                     np.minimum(ends + JITTER_S, steps.size))
    plausible = moving & ~beside & (steps <= VEHICLE_SPEED)
    stand_in = np.zeros(steps.size)
    for a, b in zip(starts, ends, strict=True):
        lo, hi = max(a - VEHICLE_S, 0), min(b + VEHICLE_S, steps.size)
        around = steps[lo:hi][plausible[lo:hi]]
        stand_in[a:b] = float(np.mean(around)) if around.size else 0.0
    return stand_in


def _allowed(steps: FloatArray, moving: BoolArray, out: BoolArray,
             burst: BoolArray) -> FloatArray:
    """The most each one-second step may count (inf where it counts whole).

    A step faster than :data:`VEHICLE_SPEED` counts the pace run around it
    (:func:`_stand_in`); in a burst of the speed (``burst``) that is all. Elsewhere it
    also keeps what makes up for the shortfall of the moving steps within
    :data:`JITTER_S` s of it: a device that logged no progress for a second and then two
    seconds' worth jittered in time, and the distance over both is the runner's."""
    fast = (steps > VEHICLE_SPEED) & ~out
    allowed = np.full(steps.size, np.inf)
    if not fast.any():
        return allowed
    pace = _stand_in(steps, moving & ~out, fast)
    lender = moving & ~fast & ~out
    lent = np.zeros(steps.size)
    for i in map(int, np.flatnonzero(fast)):
        allowed[i] = pace[i]
        if burst[i]:
            continue
        excess = float(steps[i] - pace[i])
        # the nearest steps make up for it first, as a late sample's does
        for k in sorted(range(max(i - JITTER_S, 0), min(i + JITTER_S + 1, steps.size)),
                        key=lambda k: abs(k - i)):
            if excess <= 0:
                break
            if lender[k]:
                take = min(excess, max(float(pace[i] - steps[k] - lent[k]), 0.0))
                lent[k] += take
                allowed[i] += take
                excess -= take
    return allowed


def _less(laps: tuple[Lap, ...], lost: FloatArray, lost_moving: FloatArray) -> tuple[Lap, ...]:
    """``laps`` without the distance (``lost``, m per second) and moving time
    (``lost_moving``, s per second) the streams lost within each lap's time."""
    if not laps:
        return laps
    distance = np.concatenate(([0.0], np.cumsum(lost)))
    moving = np.concatenate(([0.0], np.cumsum(lost_moving)))
    n = lost.size
    result = []
    for lap in laps:
        a = int(min(max(round(lap.start_s), 0), n))
        b = int(min(max(round(lap.start_s + lap.elapsed_s), a), n))
        result.append(replace(
            lap, distance_m=max(lap.distance_m - float(distance[b] - distance[a]), 0.0),
            moving_s=max(lap.moving_s - float(moving[b] - moving[a]), 0.0)))
    return tuple(result)


def _without_impossible_laps(activity: Activity) -> Activity:
    """``activity`` without the laps and splits faster than anyone on foot (a lap of a
    few seconds across a GPS jump), whose pace no sentence may quote."""
    laps = tuple(lap for lap in activity.laps if lap.speed <= VEHICLE_SPEED)
    splits = tuple(lap for lap in activity.splits if lap.speed <= VEHICLE_SPEED)
    if len(laps) == len(activity.laps) and len(splits) == len(activity.splits):
        return activity
    return replace(activity, laps=laps, splits=splits)


def _without_vehicle_laps(activity: Activity) -> Activity:
    """A summary without streams: its laps (or else its splits) at a vehicle's speed
    for :data:`VEHICLE_S` or more leave its totals, as stretches of the streams would;
    then every lap and split faster than anyone on foot is set aside. A summary whose
    laps say it was a ride (more such laps than :data:`VEHICLE_MAX_STRETCHES`, most of
    its distance or of its kilometres too fast for a runner) stays whole."""
    laps = activity.laps if activity.laps else activity.splits
    vehicle = [lap for lap in laps if lap.speed > VEHICLE_SPEED and lap.moving_s >= VEHICLE_S]
    if not vehicle:
        return _without_impossible_laps(activity)
    distance = sum(lap.distance_m for lap in vehicle)
    full = [lap for lap in laps if lap.distance_m >= FULL_KM_M and lap.moving_s > 0]
    fast = sum(lap.speed > WORLD_RECORD_10K_SPEED for lap in full)
    if len(vehicle) > VEHICLE_MAX_STRETCHES or distance >= VEHICLE_MAX_SHARE * \
            activity.distance_m or (full and fast >= RIDE_KM_SHARE * len(full)):
        return activity
    moving = sum(lap.moving_s for lap in vehicle)
    left = LeftOut(distance_m=distance, seconds=sum(lap.elapsed_s for lap in vehicle))
    return _without_impossible_laps(replace(
        activity, distance_m=activity.distance_m - distance,
        moving_s=max(activity.moving_s - moving, 0.0), left_out=left))


def effort_speed(activity: Activity) -> float:
    """Moving speed (m/s) with the ascent counted as flat distance, 0 when nothing moved."""
    if activity.moving_s <= 0:
        return 0.0
    ascent = activity.ascent_m if activity.ascent_m is not None and activity.ascent_m > 0 else 0.0
    return (activity.distance_m + FLAT_M_PER_ASCENT_M * ascent) / activity.moving_s


def climb_per_km(activity: Activity) -> float:
    """Metres of ascent per kilometre, 0 without ascent or distance."""
    if not activity.ascent_m or activity.distance_m <= 0:
        return 0.0
    return 1000.0 * activity.ascent_m / activity.distance_m


def _within(values: FloatArray, bounds: tuple[float, float]) -> BoolArray:
    return (values >= bounds[0]) & (values <= bounds[1])
