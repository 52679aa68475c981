"""The headline's words held to the recording: "steady", "even splits", "all the way",
"continuous" and "N km in a row" only where the splits, the stops and the heart rate show
them.

The classifier names what a session was and writes its evidence; some of its phrases are
claims about the whole session that its rule did not check (an even effort read from a
coefficient of variation says nothing of a 3-minute standstill or of the first five
minutes' heart rate). :func:`pacing` measures what a recording shows; :func:`check`
finds each claim in the evidence, whatever the language (the claim's message as the
athlete's catalogue translates it), and where the data contradict it, or cannot show it,
puts in its place what the data do show. When unsure, the headline says less, never
something else.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.climbs import moving_average
from analysis.model import Activity, FloatArray, Workout
from analysis.voice import N_, Voice

#: A standstill or walk of at least this long (s) breaks a run in two: in the first minute
#: of rest heart rate falls by 12 bpm or more in anyone fit (Cole et al. 1999, NEJM
#: 341:1351), so what follows is a new start, not one continuous effort.
BREAK_S = 60.0
#: "Steady" tolerates a longer stop, a crossing or a drink on an easy run: up to two minutes.
STEADY_BREAK_S = 120.0
#: Below this speed (m/s), over :data:`SMOOTH_S`, the runner walked: the walk-run
#: transition (Hreljac 1993, about 2 m/s), as analysis.efforts.RUN_MIN_SPEED.
WALK_SPEED = 1.8
#: Seconds over which speed is averaged before a walk is called one (GPS jitter).
SMOOTH_S = 15
#: Kilometre splits are even, and a run steady, when every whole kilometre's speed lies
#: within this share of their median: twice the 5 % coefficient of variation of an even
#: race (analysis.rules.RACE_SPLIT_CV) for the wind, turns and gentle ground of a road; a
#: fade from 3:29 to 4:01/km (15 %) or repeats with jogged recoveries lie beyond it.
SPLIT_TOLERANCE = 0.10
#: Whole kilometres needed to call splits even or uneven; fewer say nothing either way.
MIN_SPLITS = 3
#: Heart rate is "all the way" at its average when no five minutes of moving time averaged
#: more than this share below it: the README's race averaged 92 % of max with its first 5
#: minutes at 80 % (13 % below); zone boundaries are 5-10 % of max apart (Garmin's five).
HR_HELD_MARGIN = 0.05
#: The window of that check (s): heart rate takes 2-3 min to settle at a new pace, so
#: shorter dips are the rise at the start or a turn, not a different effort.
HR_WINDOW_S = 300
#: Metres a kilometre split must hold to count as one (GPS laps land within a few per cent).
FULL_KM_M = 950.0


@dataclass(frozen=True)
class Pacing:
    """What a recording shows of a session's continuity and evenness.

    None where the data cannot say (no streams, too few kilometres, no heart rate).
    """

    moving_s: float
    elapsed_s: float
    longest_break_s: float | None  # longest standstill or walk between the first and
    #                                last running, s; None without streams
    split_spread: float | None  # largest deviation of a whole km's speed from their median
    hr_held: bool | None  # heart rate near its average in every five minutes

    @property
    def stopped_s(self) -> float:
        return max(0.0, self.elapsed_s - self.moving_s)

    def unbroken(self, longest: float = BREAK_S) -> bool:
        """No break as long as ``longest``; without streams, only a session whose stops add
        up to less than that can be known to have none."""
        if self.longest_break_s is None:
            return self.stopped_s < longest
        return self.longest_break_s < longest

    @property
    def even(self) -> bool:
        return self.split_spread is not None and self.split_spread <= SPLIT_TOLERANCE


def pacing(activity: Activity) -> Pacing:
    """Continuity, evenness and heart rate of ``activity`` from its streams or splits."""
    streams = activity.streams
    if streams is None or len(streams) < 2:
        return Pacing(activity.moving_s, activity.elapsed_s, None,
                      _spread(_lap_speeds(activity)), None)
    speed = np.nan_to_num(streams.speed.astype(np.float64), nan=0.0)
    smooth = moving_average(speed, SMOOTH_S)
    running = streams.moving & (smooth >= WALK_SPEED)
    return Pacing(
        moving_s=activity.moving_s,
        elapsed_s=activity.elapsed_s,
        longest_break_s=_longest_break(running),
        split_spread=_spread(kilometre_speeds(streams.distance, streams.moving)),
        hr_held=_hr_held(streams.heartrate, streams.moving),
    )


def _longest_break(running: np.ndarray) -> float:
    index = np.flatnonzero(running)
    if index.size == 0:
        return math.inf
    inside = ~running[index[0]:index[-1] + 1]
    edges = np.diff(np.concatenate(([0], inside.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return float(np.max(ends - starts)) if starts.size else 0.0


def kilometre_speeds(distance: FloatArray, moving: np.ndarray) -> FloatArray:
    """The moving speed (m/s) of each whole kilometre of a run's streams."""
    covered = np.maximum.accumulate(np.nan_to_num(distance, nan=0.0))
    marks = np.arange(1000.0, covered[-1] + 1e-9, 1000.0)
    moving_time = np.cumsum(moving)
    at = moving_time[np.minimum(np.searchsorted(covered, marks), moving_time.size - 1)]
    seconds = np.diff(np.concatenate(([0], at))).astype(np.float64)
    return np.asarray(1000.0 / seconds[seconds > 0], dtype=np.float64)


def _lap_speeds(activity: Activity) -> FloatArray:
    full = [s for s in activity.splits if s.distance_m >= FULL_KM_M and s.moving_s > 0]
    return np.array([s.speed for s in full], dtype=np.float64)


def _spread(speeds: FloatArray) -> float | None:
    if speeds.size < MIN_SPLITS:
        return None
    median = float(np.median(speeds))
    return float(np.max(np.abs(speeds - median))) / median if median > 0 else None


def _hr_held(heartrate: FloatArray | None, moving: np.ndarray) -> bool | None:
    if heartrate is None:
        return None
    hr = heartrate[moving & np.isfinite(heartrate)]
    if hr.size < HR_WINDOW_S:
        return None
    windows = np.convolve(hr, np.ones(HR_WINDOW_S) / HR_WINDOW_S, mode="valid")
    return bool(float(np.min(windows)) >= (1 - HR_HELD_MARGIN) * float(np.mean(hr)))


# The claims, as the classifier's messages (analysis.rules) word them.
STEADY = N_("{summary}, steady")
EVEN_HARD = N_("{summary}, even splits ({paces}), hard all the way")
EVEN_HR = N_("{summary}, even splits ({paces}), HR {share} all the way")
CONTINUOUS = (
    N_("{duration} continuous at {pace} after {warm_up} warm-up"),
    N_("{duration} continuous at {pace}"),
    N_("{duration} continuous at {share}"),
    N_("{duration} continuous in the hard heart-rate zone"),
)
IN_A_ROW = ("{count} km in a row at {paces}, threshold pace",
            "{count} km in a row at {paces}, threshold pace")

#: A threshold pace that is the population's default, not the athlete's.
ASSUMED_THRESHOLD = N_("{text} (assumed {pace})")
#: What stands for a race's claims when only its heart rate was not held all the way.
EVEN_HR_AVERAGE = N_("{summary}, even splits ({paces}), HR {share} on average")
#: What stands for a claim the data do not bear out: the session's distance, pace and time.
PLAIN = N_("{distance} at {pace} in {moving}")
#: ... and its time stopped, when it stopped.
PLAIN_STOPPED = N_("{distance} at {pace}, {moving} moving of {elapsed}")


@dataclass(frozen=True)
class Checked:
    """The evidence with its claims held to the data, and whether the label's own claim
    (a race run through, an easy run) stood."""

    evidence: str
    label_holds: bool


def check(evidence: str, workout: Workout, activity: Activity, voice: Voice,
          facts: Pacing | None = None, assumed_threshold: float | None = None) -> Checked:
    """``evidence`` with every claim the recording does not bear out replaced by what it
    does show.

    Parameters:
        workout: the label; a race whose run was broken by a standstill is no race the
            data show, so ``label_holds`` is False.
        facts: the recording's :class:`Pacing`, measured here when not given.
        assumed_threshold: the population's threshold speed (m/s) when the athlete's own
            is not known: "threshold pace" then says which pace it assumed.
    """
    facts = facts or pacing(activity)
    plain = plain_summary(activity, voice)
    label_holds = True
    text = _replace(evidence, voice.gettext(STEADY), lambda m: None if (
        facts.even and facts.unbroken(STEADY_BREAK_S)) else m["summary"])
    for template in (EVEN_HARD, EVEN_HR):
        found = _pattern(voice.gettext(template)).search(text)
        if found is None:
            continue
        if not facts.unbroken() or not facts.even:
            label_holds = workout is not Workout.RACE
            text = text[:found.start()] + plain + text[found.end():]
        elif template is EVEN_HR and facts.hr_held is not True:
            text = text[:found.start()] + voice.gettext(EVEN_HR_AVERAGE).format(
                **found.groupdict()) + text[found.end():]
    for template in CONTINUOUS:
        text = _replace(text, voice.gettext(template), lambda m: None if (
            facts.unbroken() and _seconds(m["duration"]) <= facts.moving_s) else plain)
    for n in (1, 2, 5):
        text = _replace(text, voice.ngettext(*IN_A_ROW, n), lambda m: (
            _assumed(m[0], assumed_threshold, voice) if facts.unbroken() else plain))
    return Checked(text, label_holds)


def _assumed(claim: str, threshold: float | None, voice: Voice) -> str | None:
    """A threshold-pace claim with the pace it assumed, or None to keep it as it is."""
    if threshold is None:
        return None
    return voice.gettext(ASSUMED_THRESHOLD).format(text=claim, pace=voice.pace(threshold))


def plain_summary(activity: Activity, voice: Voice) -> str:
    """``8.2 km at 5:50/km in 47:46``, with the time stopped when there was a break."""
    values = {"distance": voice.distance(activity.distance_m), "pace": voice.pace(activity.speed),
              "moving": voice.clock(activity.moving_s)}
    if activity.elapsed_s - activity.moving_s >= BREAK_S:
        return voice.gettext(PLAIN_STOPPED).format(elapsed=voice.clock(activity.elapsed_s),
                                                   **values)
    return voice.gettext(PLAIN).format(**values)


def _replace(text: str, template: str,
             replacement: Callable[[re.Match[str]], str | None]) -> str:
    """``text`` with the first match of ``template`` replaced, unless ``replacement`` says
    None (the claim holds)."""
    found = _pattern(template).search(text)
    if found is None:
        return text
    new = replacement(found)
    return text if new is None else text[:found.start()] + new + text[found.end():]


_PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: What each placeholder of the claims can hold, as analysis.units writes it: durations
#: (``45 s``, ``20:31 min``, ``1:05 h``), counts, and paces (``3:39-4:13/km``); any other
#: text (a summary, a share of the maximum) is matched as short as the words around allow.
_VALUES = {
    "duration": r"\d+(?::\d\d)*\s?(?:s|min|h)",
    "warm_up": r"\d+(?::\d\d)*\s?(?:s|min|h)",
    "count": r"\d+",
    "pace": r"(?:[\d:]+-)?[\d:]+/(?:km|mi)|--",
    "paces": r"(?:[\d:]+-)?[\d:]+/(?:km|mi)|--",
}
#: A placeholder that ends a message runs to the end of the clause: the evidence may go on
#: after "; " (the heart rate set aside, for one).
_TO_CLAUSE_END = r".+?(?=; |$)"
#: A message ends where a clause does: ", steady" is no prefix of ", steady splits".
_CLAUSE_END = r"(?=$|[,;])"


def _pattern(template: str) -> re.Pattern[str]:
    """A message's text as a regular expression, each placeholder a named group."""
    parts: list[str] = []
    position = 0
    found = list(_PLACEHOLDER.finditer(template))
    for i, placeholder in enumerate(found):
        parts.append(re.escape(template[position:placeholder.start()]))
        name = placeholder[1]
        last = i == len(found) - 1 and placeholder.end() == len(template)
        value = _VALUES.get(name, _TO_CLAUSE_END if last else ".+?")
        parts.append(f"(?P<{name}>{value})")
        position = placeholder.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts) + _CLAUSE_END)


_CLOCK = re.compile(r"(\d+)(?::(\d\d))?(?::(\d\d))?\s*(s|min|h)?")


def _seconds(duration: str) -> float:
    """Seconds of a duration as analysis.units writes it (``45 s``, ``20:31 min``,
    ``1:05 h``); infinite when it cannot be read, so that no claim rests on it."""
    found = _CLOCK.fullmatch(duration.strip())
    if found is None:
        return math.inf
    first, second, third, unit = found.groups()
    numbers: Sequence[int] = [int(x) for x in (first, second, third) if x is not None]
    scale = {"s": 1, "min": 60, "h": 3600}.get(unit or "", 60)
    value = float(numbers[0] * scale)
    if len(numbers) > 1:
        value += numbers[1] * scale / 60
    if len(numbers) > 2:
        value += numbers[2]
    return value
