"""Many short surges on short floats, whose heart rate never comes down between them, as the
sixteenth blind batch (tests/data/blind-2026-12p) found them missed: 10 x (30 s + 60 s) on jogs
as long as the reps read as "40:19 min continuous at 87-99 % of max HR", a tempo; and a
fartlek's two floats of 38 and 46 s called "irregular recoveries". Built by hand from arrays;
the first and the last test failed before their rules."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np

from analysis import repeats, segments
from analysis.classify import classify
from analysis.efforts import Efforts, Piece
from analysis.evidence import Case
from analysis.model import Activity, Workout
from analysis.voice import DEFAULT
from tests.support.runs import EASY, PROFILE, THRESHOLD, Part, session

JOG = EASY * 1.05
REP = THRESHOLD * 1.2


#: How far the heart rate rises in a surge and falls back in a float of a minute or less.
SWING_BPM = 8.0


def with_heart_held(run: Activity, low: float, high: float, start_s: int, end_s: int) -> Activity:
    """``run`` with a heart rate that drifts from ``low`` to ``high`` bpm from ``start_s`` to
    ``end_s``, rising SWING_BPM in each surge and falling as much in each float, as short
    floats leave it (140 bpm before and after)."""
    streams = run.streams
    assert streams is not None
    surging = np.convolve(streams.speed > (JOG + REP) / 2, np.ones(15) / 15, mode="same")
    hr = np.full(len(streams), 140.0)
    hr[start_s:end_s] = np.linspace(low, high, end_s - start_s) + SWING_BPM * surging[start_s:end_s]
    return replace(run, streams=replace(streams, heartrate=hr), avg_hr=float(np.mean(hr)),
                   max_hr=float(np.max(hr)))


def on_off(sets: int, parts: list[Part], warm_up_s: float = 600.0) -> tuple[Activity, int]:
    """A warm-up, ``sets`` times ``parts``, a cool-down; and when the sets end (s)."""
    body = [p for _ in range(sets) for p in parts]
    run = session([(warm_up_s, JOG, 0.0), *body, (600.0, JOG, 0.0)], heart=False)
    return run, int(warm_up_s + sum(p[0] for p in body))


#: The surges and floats (s) and the surges' paces (min/km) the sixteenth batch's 10 x (30 s +
#: 60 s) came out as, with three reps merged with the 30 s jog after them and each rep run
#: at its own pace: too irregular for repeats.
SURGES_S = (38, 68, 37, 68, 36, 61, 126, 38, 65, 124, 131, 43, 60, 40, 65, 36, 62)
FLOATS_S = (18, 56, 20, 53, 27, 56, 54, 22, 57, 50, 45, 30, 54, 21, 58, 56, 0)
PACES = (3.66, 3.78, 3.82, 3.71, 3.80, 3.54, 4.11, 3.79, 3.80, 4.17, 3.91, 4.07, 3.57, 3.91,
         3.87, 3.77, 3.49)


def test_many_short_surges_on_short_floats_are_no_continuous_tempo() -> None:
    parts = [p for on, off, pace in zip(SURGES_S, FLOATS_S, PACES, strict=True)
             for p in ((float(on), 1000.0 / (60.0 * pace), 0.0), (float(off), JOG, 0.0)) if p[0]]
    run, end = on_off(1, parts)
    result = classify(with_heart_held(run, 168.0, 185.0, 600, end))
    assert result.workout in {Workout.FARTLEK, Workout.INTERVALS}, result.evidence
    assert "continuous" not in result.evidence
    assert re.match(r"1[5-7] surges of", result.evidence), result.evidence


def test_a_tempo_with_a_few_long_surges_stays_a_tempo_of_the_heart_rate() -> None:
    # Three 6 min pushes on 2 min floats are too few and too long to be read before the
    # heart rate's block.
    run, end = on_off(3, [(360.0, REP, 0.0), (120.0, JOG * 1.1, 0.0)])
    result = classify(with_heart_held(run, 168.0, 180.0, 600, end))
    assert result.workout is not Workout.FARTLEK, result.evidence


def test_short_surges_on_floats_of_minutes_are_left_to_the_heart_rate() -> None:
    # Floats of 3-4 min let the heart rate come down: if it stays in the hard zone, it says
    # more of the run than the surges do (a tempo run with pickups, a steady run that drifts).
    floats = (200.0, 230.0, 190.0, 240.0, 210.0, 180.0, 220.0, 0.0)
    parts = [p for on, off, pace in zip(SURGES_S[:8], floats, PACES[:8], strict=True)
             for p in ((float(on), 1000.0 / (60.0 * pace), 0.0), (off, JOG, 0.0)) if p[0]]
    run, end = on_off(1, parts)
    case = case_of(with_heart_held(run, 168.0, 185.0, 600, end))
    assert len(case.features.efforts.bouts) >= repeats.MANY_SURGES
    assert repeats.short_surges(case) is None


def case_of(run: Activity) -> Case:
    features = segments.from_streams(run, PROFILE)
    assert features is not None
    return Case(run, PROFILE, features, DEFAULT)


def surges(floats: tuple[float, ...]) -> Efforts:
    """Surges of 70 s, 5:30 min, 2 min, ... at 4:10/km, jogged floats of ``floats`` seconds."""
    lengths = (70.0, 330.0, 120.0, 90.0, 200.0)[:len(floats) + 1]
    start, bouts, gaps = 600.0, [], []
    for i, seconds in enumerate(lengths):
        bouts.append(Piece(start, seconds, seconds, seconds * 4.0, 4.0, math.nan))
        start += seconds
        if i < len(floats):
            gaps.append(Piece(start, floats[i], floats[i], floats[i] * 3.0, 3.0, math.nan))
            start += floats[i]
    return Efforts(tuple(bouts), tuple(gaps), 3.0)


def test_fartlek_floats_are_called_irregular_only_when_they_vary() -> None:
    run, _ = on_off(1, [(60.0, REP, 0.0)])
    case = case_of(run)

    def text(floats: tuple[float, ...]) -> str:
        with_surges = replace(case, features=replace(case.features, efforts=surges(floats)))
        return repeats._surges_text(with_surges, "70 s-5:30 min", "4:10/km")

    # Two floats of 38 and 46 s are no more irregular than a plan's rests.
    assert text((38.0, 46.0)) == "3 surges of 70 s-5:30 min at 4:10/km, 40 s jog recoveries"
    assert text((40.0, 180.0, 60.0, 300.0)).endswith(", irregular recoveries")
