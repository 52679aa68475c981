"""Advice that remembers, on real histories: the easy days after an ultra or a marathon
placed into them, and the warning when hard runs crowd out easy ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from analysis.feedback import DRILLS, render_block
from analysis.model import Classification, SessionRecord, Workout, is_run
from analysis.recovery import MARATHON_M, RACE_M_PER_EASY_DAY, VERY_LONG_EASY_DAYS
from analysis.training import Past, summarize
from tests.support.blocks import logical_lines
from tests.support.histories import HISTORIES, history


def placed(before: SessionRecord, days: int, km: float, hours: float,
           workout: Workout) -> SessionRecord:
    """A run of ``km`` in ``hours`` placed ``days`` before ``before``."""
    return SessionRecord(before.start - timedelta(days=days), "Run", workout, km * 1000,
                         hours * 3600, load=120 * hours, hard=True, activity_id=10_000)


def block(current: SessionRecord, records: list[SessionRecord]) -> list[str]:
    past = Past(tuple(r for r in records if r.start < current.start),
                min(r.start for r in records))
    now = current.start + timedelta(seconds=current.moving_s)
    summary = summarize(current, past.within(current.start - timedelta(days=70),
                                             current.start), now)
    text = render_block(Classification(current.workout, 0.7, ""), current, summary)
    return logical_lines(text.split("\n"))


def easy_runs(athlete: str) -> list[SessionRecord]:
    """The athlete's runs after their first three weeks, each as an easy run (the trackeR
    athlete's last weeks hold none, and only the days after the placed run matter)."""
    return [replace(r, workout=Workout.EASY, hard=False) for r in history(athlete)
            if is_run(r.sport) and r.workout is not Workout.OTHER
            and r.start - history(athlete)[0].start > timedelta(days=20)]


@pytest.mark.parametrize("athlete", sorted(HISTORIES))
@pytest.mark.parametrize(("km", "hours", "workout"), [
    (50.0, 5 + 40 / 60, Workout.LONG),  # a mountain ultra the classifier read as long
    (42.2, 3.5, Workout.RACE),  # a marathon
])
def test_an_easy_run_days_after_an_ultra_or_a_marathon_names_the_easy_days_left(
    athlete: str, km: float, hours: float, workout: Workout
) -> None:
    current = easy_runs(athlete)[-1]
    records = [r for r in history(athlete) if r.start < current.start]
    owed = -(-km * 1000 // RACE_M_PER_EASY_DAY)
    for days in (1, 7):
        lines = block(current, [*records, placed(current, days, km, hours, workout)])
        text = "\n".join(lines)
        assert f"easy runs or rest: {owed - days:.0f} more days after {km:.1f} km {days} d ago" \
            in text, lines
        assert " add " not in text and not any(d in text for d in DRILLS.values()), lines


@pytest.mark.parametrize("athlete", sorted(HISTORIES))
def test_once_the_easy_days_are_over_the_block_may_name_a_quality_session_again(
    athlete: str
) -> None:
    current = easy_runs(athlete)[-1]
    records = [r for r in history(athlete) if r.start < current.start]
    after = block(current, [*records, placed(current, 60, 42.2, 3.5, Workout.RACE)])
    assert not any("easy runs or rest" in x for x in after), after


def test_the_race_itself_names_its_easy_days() -> None:
    records = list(history("trackeR"))
    race = next(r for r in reversed(records) if r.workout is Workout.RACE)
    lines = block(race, records)
    days = -(-race.distance_m // RACE_M_PER_EASY_DAY)
    assert f"easy runs or rest for the next {days:.0f} days" in "\n".join(lines), lines


def test_a_month_of_mostly_hard_runs_is_said_to_crowd_out_easy_ones() -> None:
    records = list(history("trackeR"))
    current = records[-1]
    lines = block(current, records)
    mix = next(x for x in lines if x.startswith("Mix"))
    share = int(mix.split("; ")[1].split(" %")[0])
    assert share > 40 and mix.endswith("too many hard runs, keep 80 % easy and steady"), mix
    assert not any(x.startswith("No ") for x in lines)


def test_an_easy_month_is_not_warned_of_intensity() -> None:
    runs = easy_runs("runpandas")
    lines = block(runs[-1], list(history("runpandas")))
    assert not any("too many hard runs" in x for x in lines), lines


def test_the_run_far_beyond_the_usual_longest_calls_for_easy_days_as_a_race_does() -> None:
    current = easy_runs("runpandas")[-1]
    records = list(history("runpandas"))
    longest = max(r.distance_m for r in records if current.start - r.start < timedelta(days=28))
    far = replace(placed(current, 3, 2.1 * longest / 1000, 1.9, Workout.LONG), hard=False)
    owed = -(-far.distance_m // RACE_M_PER_EASY_DAY) - 3
    lines = block(current, [*records, far])
    assert f"easy runs or rest: {owed:.0f} more days after" in "\n".join(lines), lines
    near = replace(far, distance_m=1.9 * longest, moving_s=1.8 * 3600)
    assert not any("easy runs or rest" in x for x in block(current, [*records, near]))


@pytest.mark.parametrize(("km", "hours"), [(54.4, 7 + 56 / 60), (43.1, 4.5)])
def test_a_marathon_or_an_ultra_read_as_a_long_run_on_a_first_upload_names_race_easy_days(
    km: float, hours: float
) -> None:
    """No run before it, so nothing for it to be far beyond: its distance alone calls for the
    easy days of a race of that distance (tests/data/blind-2026-12x's 54 km mountain outing
    and blind-2026-12v's marathon were given two)."""
    run = SessionRecord(history("trackeR")[-1].start, "Run", Workout.LONG, km * 1000,
                        hours * 3600, load=120 * hours, hard=True)
    days = -(-run.distance_m // RACE_M_PER_EASY_DAY)
    assert days > VERY_LONG_EASY_DAYS
    assert f"easy runs or rest for the next {days:.0f} days" in "\n".join(block(run, [run]))


def test_a_long_run_short_of_a_marathon_keeps_the_two_easy_days_of_two_hours() -> None:
    run = SessionRecord(history("trackeR")[-1].start, "Run", Workout.LONG,
                        MARATHON_M - 5000.0, 3.2 * 3600, load=380, hard=True)
    text = "\n".join(block(run, [run]))
    assert f"easy runs or rest for the next {VERY_LONG_EASY_DAYS} days" in text
