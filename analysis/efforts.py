"""Effort bouts: where the runner went hard, for how long, how fast.

Every stretch of a session clearly faster than the session's own jogging pace is a bout;
rests, walks and stops between them are gaps. Streams are read sample by sample, laps
the same way with one lap standing for many samples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from analysis import corroboration
from analysis.model import BoolArray, FloatArray, Lap, Streams

#: Walk-run transition speed in m/s (Hreljac 1993: about 2.0 m/s); slower samples are
#: walks or standing rests and do not set the session's jogging pace, and a stretch
#: slower than this over the ground is no bout, however steep (a power-hike up a trail
#: costs as much as running the flat, but it is the terrain, not an effort).
RUN_MIN_SPEED = 1.8
#: Percentile of running samples taken as the session's jogging pace: warm-up, cool-down
#: and recoveries are the slowest running of a structured session and fill at least that.
JOG_PERCENTILE = 25.0
#: A sample is part of a bout above this multiple of the jogging pace.
BOUT_ENTRY = 1.15
#: A bout must average this multiple of the jogging pace: Daniels' interval and threshold
#: paces are 20-40 % faster than easy pace; GPS noise and pickups stay below.
BOUT_MIN_RATIO = 1.2
#: Bouts slower than this share of the fastest bout are not part of the workout: a
#: brisk stretch of the warm-up next to 400 m repeats (Daniels' I pace is ~10 % faster
#: than T pace, R pace ~10 % faster again, so real repeats stay well within it).
CORE_FRACTION = 0.75
#: ... though not a stride's: efforts shorter than this (s) are sprinted on the muscles'
#: phosphocreatine, at a speed no effort of a minute or more (SET_BAR_S) approaches, and
#: set no bar for those. Twelve 12 s strides at 3:01/km set a bar of 4:01/km that
#: 7 x 3 min at 3:45-3:58/km on standing rests fell under (tests/data/blind-2026-12h: the
#: session read as its strides).
STRIDE_BAR_S = 20.0
SET_BAR_S = 60.0
#: Dips shorter than this (s) do not end a bout: a turn, a GPS glitch, a bend taken
#: wide. Real recoveries last 30 s or more.
MERGE_GAP_S = 15
#: Fewest jogged laps between fast laps that set the jog (two, as for a plan of fixed rests).
PLANNED_JOGS = 2
#: Shortest bout in seconds: a stride of 80-100 m takes 15 s.
MIN_BOUT_S = 10
#: A gap is a standstill when the runner moved for at most this share of it.
STOP_MOVING_FRACTION = 0.3
#: A standstill shorter than this share of the bouts around it joins them: a traffic
#: light pauses a tempo, a standing rest between 400 m repeats is part of the workout.
STOP_MERGE_FRACTION = 0.25
#: A first or last bout lasting under a third (or over three times) the median bout is
#: not one of the repeats: a hill in the warm-up, strides after the cool-down. The median
#: is of the bouts' time, not their count: four 22 s strides after 3 x 1 km are the odd
#: ones, not the kilometres (tests/data/blind-2026-12h: the repeats were trimmed as odd
#: and the session read as a long run). Twelve 200-340 m repeats before a 23 min tempo
#: (tests/data/blind-2026-12d's kt-run4coros) are then the odd ones, and that session
#: reads as its tempo, as its label allows.
EDGE_FACTOR = 3.0
#: Edge trimming stops at this many bouts.
MIN_CORE_BOUTS = 3
#: A ladder's repeats change length by at most this factor from one to the next (1600, 800,
#: 400 m halve), and its longest is at least this factor longer than its shortest ...
LADDER_STEP = 2.5
#: ... while none is longer (stepping down) or shorter (stepping up) than the one before by
#: more than this factor: two repeats of one length, a few per cent apart.
LADDER_SLACK = 1.15
#: ... and never drops a bout holding more than this share of all the bouts' time: that
#: bout is the session's main work (a 30 min block on the track), the short ones around
#: it the pickups of its warm-up or cool-down, not the repeats.
MAIN_WORK_SHARE = 0.5
#: Repeats are run to a target pace when they last longer than a sprint (45 s: all-out
#: efforts, whose pace is the runner's top speed of the day, are judged by
#: analysis.repeats' own rules): only then does an edge bout run at another pace stand out
#: as another effort (a phone's GPS makes a 50 s "bout" 20 % faster than 20 s pickups).
PACED_BOUT_S = 45.0
#: Repeats run to one target hold their pace within a few per cent and their length within
#: a quarter (a plan's reps are one length; a GPS lap's end or a fade moves them that much):
#: a first or last paced bout both this much slower or faster than the others' median and a
#: quarter longer or shorter is another effort, a steady finish or a tempo start (3 x 8 min
#: at 4:32-4:47/km, then 10.5 min at 5:34/km: three repeats, not "4 x 1.7 km at 4:33-5:35/km").
OTHER_EFFORT_PACE = 1.1
OTHER_EFFORT_LENGTH = 1.25
#: A lap whose moving time is less than this share of its elapsed time stood more than it
#: moved: a rest between repeats, not a running lap.
STOOD_LAP_SHARE = 0.5
#: A pause of at least this many seconds between two stretches of running is a standing
#: or walking recovery (auto-pause, a stopped watch): the shortest rest a coach sets
#: between repeats is about 30 s.
STANDING_REST_S = 30
#: Stretches between standing rests are repeats only when this many or more ...
MIN_STANDING_REPS = 3
#: ... last about as long as each other (coefficient of variation at most this, the
#: regularity repeats ask of bouts) ...
STANDING_REGULAR_CV = 0.3
#: ... and rest about as long each time: a city run's stops at lights are as long as the
#: lights, a coach's rests as long as the plan ...
STANDING_REST_CV = 0.35
#: ... but for longer breaks between sets: a rest this many times the median rest or more
#: is a set break, and at most this share of the rests may be breaks (4 x 4 x 200 m on 40 s,
#: 2 min between the sets; 9 x 600 m on 2 min, 6 min before the last).
SET_BREAK_FACTOR = 1.6
SET_BREAK_SHARE = 1 / 3


#: On/off sessions (8 x 300 m on / 300 m float, 1 min / 1 min) float faster than the
#: warm-up's jog, so against the jog the whole set is one hard stretch broken where a
#: float dips below the jog's bound. When the bouts against the jog include one this long
#: (s), or are too few to be repeats, the repeats are looked for against the floats: the
#: slowest quarter of the running faster than the jog ...
FLOAT_BLOCK_S = 6 * 60.0
#: ... and taken when at least this many come out (a set, not a tempo's surges), regular
#: in length and rest (STANDING_REGULAR_CV, STANDING_REST_CV), with floats run, not walked
#: or stood, and faster than the session's jog (else the bouts against the jog are right).
MIN_FLOAT_REPS = 4


@dataclass(frozen=True)
class Piece:
    """A stretch of the session: a bout of hard running or the gap between two."""

    start_s: float
    seconds: float
    moving_s: float
    metres: float
    speed: float  # effort speed, grade-adjusted where the grade is known, m/s
    hr: float  # mean heart rate, NaN without one

    @property
    def pace_speed(self) -> float:
        """Speed over ground while moving, m/s."""
        return self.metres / self.moving_s if self.moving_s > 0 else 0.0

    @property
    def span(self) -> tuple[int, int]:
        """The piece's samples in streams at 1 Hz: first and one past the last."""
        return int(self.start_s), int(self.start_s + self.seconds)

    @property
    def stood(self) -> bool:
        """A standstill: moved for at most STOP_MOVING_FRACTION of it."""
        return self.moving_s <= STOP_MOVING_FRACTION * self.seconds

    @property
    def walked(self) -> bool:
        """Stood, or moved no faster than a walk (RUN_MIN_SPEED over the ground)."""
        return self.stood or self.pace_speed < RUN_MIN_SPEED


@dataclass(frozen=True)
class Efforts:
    """The bouts of one session, the gaps between them, and the jogging pace behind both."""

    bouts: tuple[Piece, ...]
    gaps: tuple[Piece, ...]  # gaps[i] lies between bouts[i] and bouts[i + 1]
    jog_speed: float


def find_efforts(streams: Streams, gap: FloatArray, speed: FloatArray,
                 easy_speed: float = 0.0) -> Efforts:
    """Bouts of hard running against the session's own jogging pace, each confirmed by
    :mod:`analysis.corroboration` as more than the recording's noise.

    Parameters:
        streams: the session's streams (moving flags, heart rate).
        gap: smoothed grade-adjusted speed per sample.
        speed: cleaned speed over ground per sample.
        easy_speed: the athlete's easy pace, m/s: repeats between standing rests, which
            have no jogging to be measured against, must beat it clearly.
    """
    running = gap[gap >= RUN_MIN_SPEED]
    if running.size < MIN_BOUT_S:
        return Efforts((), (), 0.0)
    found = _bouts_against_jog(streams, gap, speed, running)
    floated = _bouts_against_floats(streams, gap, speed, found)
    if floated is not None:
        return floated
    if len(found.bouts) >= MIN_STANDING_REPS:
        return found
    standing = _bouts_between_stops(streams, gap, speed)
    if standing is None or float(np.median([b.speed for b in standing.bouts])) < (
            BOUT_MIN_RATIO * easy_speed):
        return found
    return standing


def _bouts_between_stops(streams: Streams, gap: FloatArray,
                         speed: FloatArray) -> Efforts | None:
    """Repeats whose recoveries are standing or walking rests, so that all the running is
    the repeats (sprints with walk-backs on auto-pause): the stretches of running between
    rests, when they and the rests are regular; None otherwise."""
    mask = close_gaps(streams.moving & (speed >= RUN_MIN_SPEED), STANDING_REST_S - 1)
    ranges = [(a, b) for a, b in runs_of(mask) if b - a >= MIN_BOUT_S]
    if len(ranges) < MIN_STANDING_REPS:
        return None
    between = [(a[1], b[0]) for a, b in zip(ranges, ranges[1:], strict=False)]
    efforts = _trim_edges(Efforts(
        tuple(_piece(streams, gap, speed, a, b) for a, b in ranges),
        tuple(_piece(streams, gap, speed, a, b) for a, b in between),
        RUN_MIN_SPEED))
    lengths = np.array([b.seconds for b in efforts.bouts])
    rests = np.array([g.seconds for g in efforts.gaps])
    if (len(efforts.bouts) < MIN_STANDING_REPS or _cv(lengths) > STANDING_REGULAR_CV
            or not _rests_in_sets(rests)):
        return None
    return efforts


def _rests_in_sets(rests: FloatArray) -> bool:
    """Whether the rests are about as long each time (STANDING_REST_CV), but for a few longer
    breaks between sets (SET_BREAK_FACTOR, SET_BREAK_SHARE). A recorder paused in every rest
    leaves only the repeats and the rests' lengths to tell a session from a run stopped at
    lights (tests/data/blind-2026-12n: 4 x 4 x 200 m on 40 s and 2 min between the sets, read
    as "3.2 km at 3:31/km, steady")."""
    if rests.size == 0:
        return False
    breaks = rests >= SET_BREAK_FACTOR * float(np.median(rests))
    return bool(np.count_nonzero(breaks) <= SET_BREAK_SHARE * rests.size
                and _cv(rests[~breaks]) <= STANDING_REST_CV)


def _bouts_against_floats(streams: Streams, gap: FloatArray, speed: FloatArray,
                          found: Efforts) -> Efforts | None:
    """On/off repeats whose floats are faster than the session's jog; None otherwise."""
    if found.jog_speed <= 0 or (len(found.bouts) >= MIN_STANDING_REPS
                                and max(b.seconds for b in found.bouts) < FLOAT_BLOCK_S):
        return None
    faster = gap[gap > BOUT_ENTRY * found.jog_speed]
    if faster.size < MIN_BOUT_S:
        return None
    floats = _bouts_against_jog(streams, gap, speed, faster)
    if len(floats.bouts) < MIN_FLOAT_REPS:
        return None
    lengths = np.array([b.seconds for b in floats.bouts])
    rests = np.array([g.seconds for g in floats.gaps])
    floated = not any(g.stood for g in floats.gaps) and (
        float(np.median([g.pace_speed for g in floats.gaps])) >= BOUT_ENTRY * found.jog_speed)
    if _cv(lengths) > STANDING_REGULAR_CV or _cv(rests) > STANDING_REST_CV or not floated:
        return None
    return floats


def _cv(values: FloatArray) -> float:
    mean = float(np.mean(values)) if values.size else 0.0
    return float(np.std(values)) / mean if mean > 0 else math.inf


def _bouts_against_jog(streams: Streams, gap: FloatArray, speed: FloatArray,
                       running: FloatArray) -> Efforts:
    jog = float(np.percentile(running, JOG_PERCENTILE))
    mask = close_gaps(gap > BOUT_ENTRY * jog, MERGE_GAP_S)
    ranges = [(a, b) for a, b in runs_of(mask)
              if b - a >= MIN_BOUT_S and float(np.mean(speed[a:b])) >= RUN_MIN_SPEED]
    noise = corroboration.speed_noise(gap, gap >= RUN_MIN_SPEED)
    ranges = corroboration.real_bouts(ranges, gap, streams.heartrate, jog, noise)
    means = np.array([float(np.mean(gap[a:b])) for a, b in ranges])
    lengths = np.array([float(b - a) for a, b in ranges])
    ranges = [r for r, keep in zip(ranges, _in_core(means, lengths, BOUT_MIN_RATIO * jog),
                                   strict=True) if keep]
    between = [(a[1], b[0]) for a, b in zip(ranges, ranges[1:], strict=False)]
    return _merge_stops(Efforts(
        tuple(_piece(streams, gap, speed, a, b) for a, b in ranges),
        tuple(_piece(streams, gap, speed, a, b) for a, b in between),
        jog))


def lap_efforts(laps: Sequence[Lap]) -> Efforts:
    """Bouts from laps: consecutive laps clearly faster than the session's jogging laps.

    The jogging pace is where the slowest quarter (JOG_PERCENTILE) of the running laps'
    moving time ends, walked recoveries counted in it: a lap walked or stood between two
    running laps is a recovery between repeats, though a walk's speed never sets the jog (at
    least the slowest running lap). Counting only running laps, a session whose recoveries
    are all walked had its quarter filled by the warm-up and a steady 10 min at 5:34/km, and
    its 3 x 8 min at 4:32-4:47/km stood less than BOUT_MIN_RATIO above that "jog"
    (tests/data/blind-2026-12f). A climb hiked between two standstills is no recovery: the
    run of tests/data/blind-2026-12c's hs-3981100861.fit stays one easy run.

    Laps shorter than the shortest bout (MIN_BOUT_S) are left out: a watch stopped a second
    after the last lap press leaves a lap of 1-6 s and 5-20 m whose speed is noise, and
    taken as the session's fastest it raised the bar (CORE_FRACTION) above all but one of
    4 x 2:30 min repeats (tests/data/blind-2026-12e: a 1 s lap at 3:12/km)."""
    laps = [lap for lap in laps
            if lap.elapsed_s >= MIN_BOUT_S and math.isfinite(lap.distance_m)]
    judged = [_stood_lap(lap) for lap in laps]
    running = [lap for lap in judged if lap.speed >= RUN_MIN_SPEED]
    if len(laps) < 2 or not running:
        return Efforts((), (), 0.0)
    recoveries = [lap for i, lap in enumerate(judged) if _walked_between_running(judged, i)]
    slow = running + recoveries
    jog = max(_weighted_percentile(np.array([lap.speed for lap in slow]),
                                   np.array([lap.moving_s for lap in slow]), JOG_PERCENTILE),
              min(lap.speed for lap in running))
    speeds = np.array([lap.speed for lap in judged])
    seconds = np.array([lap.moving_s for lap in laps])
    fast = _in_core(speeds, seconds, BOUT_MIN_RATIO * jog)
    jogged = _jogged_between(speeds, fast)
    if jogged < jog:
        jog = jogged
        fast |= _in_core(speeds, seconds, BOUT_MIN_RATIO * jog) & _above_neighbours(speeds)
    for a, b in runs_of(fast):
        _drop_build_ups(laps, fast, a, b)
    pieces = [_lap_piece(laps[a:b]) for a, b in runs_of(fast)]
    gaps = [_lap_piece(laps[a:b]) for a, b in runs_of(~fast) if a > 0 and b < len(laps)]
    return _merge_stops(Efforts(tuple(pieces), tuple(gaps), jog))


def _stood_lap(lap: Lap) -> Lap:
    """A lap that stood for most of its clock (STOOD_LAP_SHARE) was a rest, whatever the
    GPS's drift makes of its few moving seconds: its moving time becomes its elapsed time, so
    its speed is the rest's. A standing rest of 2 min whose watch moved 10 s over 69 m of
    drift read as a lap at 6.9 m/s, the session's fastest, above 5 x 1000 m at 4:00/km
    (tests/data/blind-2026-12u). Only the judging of the laps takes it so; the rest is still
    told as the stop it was."""
    if lap.moving_s >= STOOD_LAP_SHARE * lap.elapsed_s:
        return lap
    return replace(lap, moving_s=lap.elapsed_s)


def _jogged_between(speeds: FloatArray, fast: BoolArray) -> float:
    """The median speed of the laps run between the fast laps, when there are at least
    PLANNED_JOGS of them (infinite otherwise): the recoveries are the session's jog. A warm-up
    and a cool-down run faster than the recoveries fill the slowest quarter of a session's
    laps, and a 1609-825-412 m ladder at 4:02-4:17/km on jogs at 5:10-5:24/km, warmed up at
    4:46-4:56/km, lost two of its six repeats under a "jog" of 5:06/km
    (tests/data/blind-2026-12i). Against this jog only a lap faster than the laps on both
    sides of it is a repeat (:func:`_above_neighbours`): a warm-up at 4:50/km before repeats
    at 3:53/km is no repeat of theirs."""
    index = np.flatnonzero(fast)
    if index.size < 2:
        return math.inf
    inside = np.arange(index[0], index[-1] + 1)
    between = speeds[inside[~fast[inside] & (speeds[inside] >= RUN_MIN_SPEED)]]
    return float(np.median(between)) if between.size >= PLANNED_JOGS else math.inf


def _above_neighbours(speeds: FloatArray) -> BoolArray:
    """Which laps are BOUT_ENTRY faster than each lap beside them."""
    before = np.concatenate(([0.0], speeds[:-1]))
    after = np.concatenate((speeds[1:], [0.0]))
    above: BoolArray = speeds >= BOUT_ENTRY * np.maximum(before, after)
    return above


def _in_core(speeds: FloatArray, seconds: FloatArray, floor: float) -> BoolArray:
    """Which efforts reach ``floor`` and CORE_FRACTION of the fastest, strides setting no
    bar for efforts of a minute or more (STRIDE_BAR_S, SET_BAR_S)."""
    if speeds.size == 0:
        return np.zeros(0, dtype=bool)
    strides = seconds < STRIDE_BAR_S
    bar = np.full(speeds.size, float(np.max(speeds)))
    if np.any(~strides):
        bar[seconds >= SET_BAR_S] = float(np.max(speeds[~strides]))
    core: BoolArray = (speeds >= floor) & (speeds >= CORE_FRACTION * bar)
    return core


def _walked_between_running(laps: Sequence[Lap], i: int) -> bool:
    """Whether lap ``i`` was walked or stood with running laps on both sides of it."""
    return (0 < i < len(laps) - 1 and laps[i].speed < RUN_MIN_SPEED
            and laps[i - 1].speed >= RUN_MIN_SPEED and laps[i + 1].speed >= RUN_MIN_SPEED)


def _drop_build_ups(laps: Sequence[Lap], fast: BoolArray, a: int, b: int) -> None:
    """Unmark the first laps of the run of fast laps ``laps[a:b]`` that are slower than the
    lap after them by BOUT_MIN_RATIO or more, and likewise its last laps against the lap
    before: a repeat is run at one pace, and a lap that much slower beside it is another
    effort, the end of a warm-up built up to steady pace just before the first repeat (as
    a bout stands that far above the jog). Joined to the first repeat, it made one bout of
    12 min out of 10 min at 5:18/km and 2 min at 4:18/km, and 5 x 2 min irregular
    (tests/data/blind-2026-12e). Laps of one effort split by an auto-lap or a press differ
    by a few per cent, and a tempo's faster finish by about 10 %: both stay whole."""
    while b - a > 1 and BOUT_MIN_RATIO * laps[a].speed <= laps[a + 1].speed:
        fast[a] = False
        a += 1
    while b - a > 1 and BOUT_MIN_RATIO * laps[b - 1].speed <= laps[b - 2].speed:
        fast[b - 1] = False
        b -= 1


def _trim_edges(efforts: Efforts) -> Efforts:
    """Drop first or last bouts unlike the rest: a hill in the warm-up, strides at the end,
    or, among repeats longer than a sprint (PACED_BOUT_S), a first or last effort run at
    another pace than theirs (BOUT_MIN_RATIO apart, as far as a bout stands above the jog):
    3 x 1.7 km at 4:45/km, then a kilometre at 3:41/km (tests/data/blind-2026-12e) is three
    repeats and a fast finish, not four loose surges."""
    bouts, gaps = list(efforts.bouts), list(efforts.gaps)
    while len(bouts) > MIN_CORE_BOUTS and not _stepped(bouts):
        lengths = np.array([b.seconds for b in bouts])
        median = _weighted_percentile(lengths, lengths, 50.0)
        pace = float(np.median([b.speed for b in bouts]))
        paced = median >= PACED_BOUT_S
        main = MAIN_WORK_SHARE * sum(b.seconds for b in bouts)
        odd = [(not median / EDGE_FACTOR <= b.seconds <= median * EDGE_FACTOR
                or paced and not pace / BOUT_MIN_RATIO < b.speed < pace * BOUT_MIN_RATIO
                or paced and _another_effort(b, [o for o in bouts if o is not b]))
               and b.seconds <= main for b in bouts]
        if odd[0]:
            bouts, gaps = bouts[1:], gaps[1:]
        elif odd[-1]:
            bouts, gaps = bouts[:-1], gaps[:-1]
        else:
            break
    return Efforts(tuple(bouts), tuple(gaps), efforts.jog_speed)


def _stepped(bouts: Sequence[Piece]) -> bool:
    """Whether the bouts step down (or up) in length, each at most LADDER_STEP from the one
    before and none back by more than LADDER_SLACK: a ladder, whose shortest or longest
    repeats are its ends, not odd ones out. 1609-1609-825-825-472-412 m lost its two last
    repeats as too short beside the miles (tests/data/blind-2026-12i); four 20 s strides
    after 4 min repeats are far more than a step shorter."""
    lengths = np.array([b.seconds for b in bouts])
    ratios = lengths[1:] / lengths[:-1]
    if np.any(ratios > LADDER_STEP) or np.any(ratios < 1.0 / LADDER_STEP):
        return False
    down, up = np.all(ratios <= LADDER_SLACK), np.all(ratios >= 1.0 / LADDER_SLACK)
    return bool((down or up) and lengths.max() >= LADDER_STEP * lengths.min())


def _another_effort(bout: Piece, others: Sequence[Piece]) -> bool:
    """Whether ``bout`` is off the pace and the length of ``others`` (OTHER_EFFORT_PACE and
    OTHER_EFFORT_LENGTH apart from their medians) while they hold one pace and one length
    among themselves: not one of their repeats."""
    speeds = [o.speed for o in others]
    lengths = [o.seconds for o in others]
    if (max(speeds) > OTHER_EFFORT_PACE * min(speeds)
            or max(lengths) > OTHER_EFFORT_LENGTH * min(lengths)):
        return False  # the others are no one target themselves: a ladder, a pyramid
    pace, length = float(np.median(speeds)), float(np.median(lengths))
    return (not pace / OTHER_EFFORT_PACE < bout.speed < pace * OTHER_EFFORT_PACE
            and not length / OTHER_EFFORT_LENGTH < bout.seconds < length * OTHER_EFFORT_LENGTH)


def runs_of(mask: BoolArray) -> list[tuple[int, int]]:
    """Start and end (exclusive) of every run of True values."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _merge_stops(efforts: Efforts) -> Efforts:
    """Join bouts split by a short standstill (a traffic light inside a tempo), unless most
    gaps are standstills: then standing is how the session recovers, and its shortest rest
    is a rest too (tests/data/blind-2026-12h: 5 x 800 m and 2 x 400 m on standing rests of
    47 s to 6 min, two repeats joined across 47 s into one "surge" of 7 min)."""
    if not efforts.bouts:
        return efforts
    standing = [gap.stood for gap in efforts.gaps]
    if len(standing) >= 2 and 2 * sum(standing) > len(standing):
        return _trim_edges(efforts)
    bouts, gaps = [efforts.bouts[0]], []
    for gap, bout in zip(efforts.gaps, efforts.bouts[1:], strict=True):
        short = gap.seconds <= STOP_MERGE_FRACTION * min(bouts[-1].seconds, bout.seconds)
        if short and (gap.stood or _kept_pace(gap, bouts[-1], bout, efforts.jog_speed)):
            bouts[-1] = _join([bouts[-1], gap, bout])
        else:
            bouts.append(bout)
            gaps.append(gap)
    return _trim_edges(Efforts(tuple(bouts), tuple(gaps), efforts.jog_speed))


def _kept_pace(gap: Piece, before: Piece, after: Piece, jog_speed: float) -> bool:
    """Whether a gap was run over the ground at an effort's speed (BOUT_MIN_RATIO of the jog)
    and as fast as the bouts on both sides: a descent inside the effort, where the grade took
    the effort's speed below the bouts' bar while the runner held their pace, not a recovery.
    Bouts that are fast only once grade-adjusted (climbs) are no pace to keep: the runs down
    between them are faster over the ground and no effort."""
    bar = max(BOUT_MIN_RATIO * jog_speed, min(before.pace_speed, after.pace_speed))
    # a pace held exactly (metres / seconds of each piece) may differ in the last bit
    return gap.moving_s > 0 and (gap.pace_speed >= bar or math.isclose(gap.pace_speed, bar))


def _join(pieces: Sequence[Piece]) -> Piece:
    weights = np.array([p.moving_s for p in pieces])
    hrs = np.array([p.hr for p in pieces])
    has_hr = np.isfinite(hrs) & (weights > 0)
    return Piece(
        start_s=pieces[0].start_s,
        seconds=sum(p.seconds for p in pieces),
        moving_s=float(weights.sum()),
        metres=sum(p.metres for p in pieces),
        speed=float(np.average([p.speed for p in pieces], weights=weights))
        if weights.sum() > 0 else 0.0,
        hr=float(np.average(hrs[has_hr], weights=weights[has_hr])) if has_hr.any() else math.nan,
    )


def _lap_piece(laps: Sequence[Lap]) -> Piece:
    return _join([
        Piece(lap.start_s, lap.elapsed_s, lap.moving_s, lap.distance_m, lap.speed,
              lap.avg_hr if lap.avg_hr is not None else math.nan)
        for lap in laps])


def _piece(streams: Streams, gap: FloatArray, speed: FloatArray, a: int, b: int) -> Piece:
    hr = streams.heartrate[a:b] if streams.heartrate is not None else np.empty(0)
    finite_hr = hr[np.isfinite(hr)]
    return Piece(
        start_s=float(a),
        seconds=float(b - a),
        moving_s=float(np.count_nonzero(streams.moving[a:b])),
        metres=float(np.sum(speed[a:b])),
        speed=float(np.mean(gap[a:b])),
        hr=float(np.mean(finite_hr)) if finite_hr.size else math.nan,
    )


def _weighted_percentile(values: FloatArray, weights: FloatArray, q: float) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    index = int(np.searchsorted(cumulative, q / 100.0 * cumulative[-1]))
    return float(values[order][min(index, values.size - 1)])


def close_gaps(mask: BoolArray, gap: int) -> BoolArray:
    padded = np.concatenate(([True], mask, [True])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    starts, ends = edges[::2], edges[1::2]  # runs of False, in mask indices
    short = (ends - starts <= gap) & (starts > 0) & (ends < mask.size)
    marks = np.zeros(mask.size + 1, dtype=np.int64)
    np.add.at(marks, starts[short], 1)
    np.add.at(marks, ends[short], -1)
    return np.asarray(mask | (np.cumsum(marks)[:-1] > 0), dtype=np.bool_)
