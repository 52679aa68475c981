"""Files minutes apart are one outing in the weeks' figures (issue 20: "Two files 2 minutes
apart are one 97 min outing, not two easy runs")."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from functools import cache

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import engine
from analysis.feedback import render_block
from analysis.model import Activity, Classification, SessionRecord, Streams
from analysis.parsers.summary import activity_from_streams
from analysis.training import OUTING_GAP_S, Past, outings, summarize
from tests.support import recordings
from tests.support.blocks import logical_lines
from tests.support.histories import HISTORIES, history


@cache
def runs() -> tuple[tuple[Activity, ...], tuple[SessionRecord, ...]]:
    """The runpandas athlete's recordings and records, oldest first."""
    activities = sorted((a for p in HISTORIES["runpandas"]
                         for a in recordings.sessions(p)),
                        key=lambda a: a.start)
    return tuple(activities), history("runpandas")


def part(streams: Streams, a: int, b: int) -> Streams:
    """Samples [a, b) of ``streams``, their time and distance counted from a."""
    def cut(x: np.ndarray | None) -> np.ndarray | None:
        return None if x is None else x[a:b]
    return Streams(streams.time[a:b] - streams.time[a], streams.distance[a:b] - streams.distance[a],
                   streams.speed[a:b], streams.moving[a:b], cut(streams.heartrate),
                   cut(streams.altitude), cut(streams.grade), cut(streams.cadence),
                   cut(streams.power))


def split(activity: Activity, at: float, gap_s: float) -> tuple[Activity, Activity]:
    """``activity`` saved as two files: the first ``at`` of its samples, then, ``gap_s``
    seconds after the first file ends, the rest."""
    streams = activity.streams
    assert streams is not None
    cut = int(at * len(streams))
    first = activity_from_streams(activity.sport, activity.start, part(streams, 0, cut))
    second = activity_from_streams(
        activity.sport, activity.start + timedelta(seconds=first.elapsed_s + gap_s),
        part(streams, cut, len(streams)))
    return first, second


def summary_of(current: SessionRecord, records: list[SessionRecord]):  # noqa: ANN201
    before = [r for r in records if r.start < current.start]
    now = current.start + timedelta(seconds=current.elapsed_s or current.moving_s)
    past = Past(tuple(before), min(r.start for r in records))
    return summarize(current, past.within(current.start - timedelta(days=70), current.start),
                     now)


def as_two_files(index: int, at: float, gap_s: float) -> tuple[SessionRecord, list[SessionRecord],
                                                                SessionRecord, list[SessionRecord]]:
    """The athlete's run ``index`` as one file and as two, with the records before it."""
    activities, records = runs()
    whole = records[index]
    before = [r for r in records[:index]]
    profile = engine.profile_for(before, activities[index])
    one, two = split(activities[index], at, gap_s)
    first = engine.analyse(one, profile, activity_id=10_001).record
    second = engine.analyse(two, profile, activity_id=10_002).record
    return whole, before, second, [*before, first]


def test_a_real_run_saved_as_two_files_two_minutes_apart_counts_once() -> None:
    _, records = runs()
    index = len(records) - 1
    whole, before, second, with_first = as_two_files(index, 0.5, 120.0)
    one, two = summary_of(whole, [*before, whole]), summary_of(second, [*with_first, second])
    assert one.variety is not None and two.variety is not None
    assert two.variety.runs == one.variety.runs
    assert two.consistency is not None and one.consistency is not None
    assert two.consistency.runs == one.consistency.runs
    assert two.earlier_sessions == one.earlier_sessions
    assert abs(sum(two.consistency.weekly_distance_m) - sum(one.consistency.weekly_distance_m)) \
        < 1.0
    block = logical_lines(render_block(Classification(second.workout, 0.7, ""), second, two)
                          .split("\n"))
    mix = next(x for x in block if x.startswith("Mix"))
    whole_mix = next(x for x in logical_lines(render_block(
        Classification(whole.workout, 0.7, ""), whole, one).split("\n")) if x.startswith("Mix"))
    assert mix == whole_mix


@settings(max_examples=15, deadline=None)
@given(st.floats(0.2, 0.8), st.floats(0.0, OUTING_GAP_S - 1.0))
def test_any_split_minutes_apart_leaves_the_weeks_figures_as_one_file(
    at: float, gap_s: float
) -> None:
    _, records = runs()
    whole, before, second, with_first = as_two_files(len(records) - 3, at, gap_s)
    one, two = summary_of(whole, [*before, whole]), summary_of(second, [*with_first, second])
    assert two.consistency is not None and one.consistency is not None
    assert two.consistency.runs == one.consistency.runs
    assert two.earlier_sessions == one.earlier_sessions


def test_sessions_an_hour_apart_of_two_sports_or_overlapping_stay_apart() -> None:
    _, records = runs()
    a, b = records[-2], records[-1]
    later = replace(b, start=a.start + timedelta(seconds=(a.elapsed_s or a.moving_s) + 3600))
    assert len(outings([a, later])[0]) == 2
    soon = replace(b, start=a.start + timedelta(seconds=(a.elapsed_s or a.moving_s) + 120))
    assert len(outings([a, soon])[0]) == 1
    assert len(outings([a, replace(soon, sport="Ride")])[0]) == 2
    # one outing recorded twice overlaps itself: not twice the distance
    assert len(outings([a, replace(b, start=a.start + timedelta(seconds=60))])[0]) == 2


def test_the_athletes_two_files_of_17_january_2021_are_one_97_min_outing() -> None:
    # The case, in the runpandas athlete's history: 38:42 and 58:31 moving, the
    # second file started 2:28 after the first ended.
    _, records = runs()
    day = [r for r in records if r.start.date().isoformat() == "2021-01-17"
           and r.start.hour < 12]  # not the 2 min "other" of that evening
    assert len(day) == 2
    merged, outing = outings(list(records), day[1])
    assert outing is not None and outing.start == day[0].start
    assert int(outing.moving_s // 60) == 97
    assert len(merged) == len(records) - sum(
        1 for a, b in zip(records, records[1:], strict=False)
        if a.sport == b.sport and (b.start - a.start).total_seconds()
        - (a.elapsed_s or a.moving_s) <= OUTING_GAP_S)
    alone = summary_of(day[1], list(records))
    assert alone.earlier_sessions == summary_of(day[0], list(records)).earlier_sessions
