"""Tests for analysis.feedback: the block a runner reads under their activity."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.description import BLOCK_BEGIN, BLOCK_END, find_block, merge
from analysis.feedback import CONTINUATION, MESSAGES, render_block
from analysis.model import Classification, SessionRecord, Workout
from analysis.training import summarize
from analysis.units import format_distance, format_duration
from tests.analysis.records import NOW, session

EVIDENCE = "4 x 6 min at 3:39-4:13/km, 3 min jog recoveries"


def block_for(
    current: SessionRecord,
    history: list[SessionRecord],
    evidence: str = EVIDENCE,
    **options: str,
) -> list[str]:
    """The rendered block's lines, markers included."""
    classification = Classification(current.workout, 0.9, evidence)
    text = render_block(classification, current, summarize(current, history, NOW), **options)
    return text.split("\n")


def line(lines: list[str], prefix: str) -> str:
    return next(x for x in lines if x.startswith(prefix))


def varied_weeks() -> list[SessionRecord]:
    plan = [Workout.EASY, Workout.LONG, Workout.EASY, Workout.INTERVALS, Workout.HILLS]
    return [
        session(d, plan[d % len(plan)], km=9, minutes=50, hr=150,
                hard=plan[d % len(plan)] in (Workout.INTERVALS, Workout.HILLS))
        for d in range(50, 1, -2)
    ]


def test_block_is_one_well_formed_block_that_merges_into_a_description() -> None:
    lines = block_for(session(0, Workout.INTERVALS, hard=True), varied_weeks())
    text = "\n".join(lines)
    assert (lines[0], lines[-1]) == (BLOCK_BEGIN, BLOCK_END)
    assert find_block(text) == (0, len(text))
    assert merge("Track night", text) == "Track night\n\n" + text


def test_a_typical_block_fits_a_phone() -> None:
    lines = block_for(session(0, Workout.INTERVALS, hard=True), varied_weeks())
    assert len(lines) - 2 <= 8
    assert all(len(x) <= 70 for x in lines)


def test_headline_shows_the_label_and_its_evidence() -> None:
    lines = block_for(session(0, Workout.INTERVALS, hard=True), [])
    assert lines[1] == f"Intervals: {EVIDENCE}"


def test_headline_without_evidence_shows_distance_and_time() -> None:
    current = session(0, Workout.LONG, km=21.1, minutes=115)
    expected = f"{format_distance(21_100)} in {format_duration(115 * 60)}"
    assert block_for(current, [], evidence="")[1] == f"Long run: {expected}"


def test_only_easy_runs_name_lack_of_variety_and_a_drill_with_its_muscles() -> None:
    lines = block_for(session(0), [session(d) for d in range(26, 0, -2)])
    assert line(lines, "Mix").endswith(": 14 easy; 0 % quality: too little variety")
    assert line(lines, "No ") == (
        "No hills, intervals or sprints in 14 d: add 6-8 x 1 min uphill (quads, glutes)"
    )


def test_mix_names_at_most_four_labels_and_sums_the_rest() -> None:
    labels = [Workout.EASY, Workout.LONG, Workout.TEMPO, Workout.INTERVALS, Workout.HILLS,
              Workout.SPRINTS]
    history = [session(d, labels[d % 6], km=8, minutes=40) for d in range(1, 25)]
    mix = line(block_for(session(0), history), "Mix")
    counts = mix.split(": ", 1)[1].split(";")[0].split(", ")
    assert len(counts) == 5
    assert counts[-1] == f"{24 + 1 - sum(int(c.split()[0]) for c in counts[:4])} more"


def test_recovery_warnings_show_the_numbers_behind_them() -> None:
    history = [session(d, km=10, minutes=55) for d in (8, 10)]
    history += [session(d, Workout.TEMPO, km=10, minutes=50, hard=True) for d in (1, 2)]
    lines = block_for(session(0, Workout.INTERVALS, km=10, minutes=50, hard=True), history)
    recovery = " ".join(x.strip() for x in lines if x.startswith(("Recovery", CONTINUATION)))
    assert "3 hard days in a row" in recovery
    assert "run distance +50 % on last week" in recovery
    assert recovery.endswith("easy day next")


def test_calm_recovery_shows_rest_days_and_the_load_ratio() -> None:
    history = [session(d, load=60) for d in range(41, 0, -2)]
    recovery = line(block_for(session(0, load=60), history), "Recovery")
    assert recovery.startswith("Recovery: 3 of 7 days rest; load ")
    assert recovery.endswith("x your 4-week norm")


def test_strength_counts_sessions_this_week_against_two_to_three() -> None:
    lift = session(1, Workout.STRENGTH, sport="WeightTraining", km=0)
    assert line(block_for(session(0), [lift]), "Strength") == (
        "Strength: 1 of 2-3 this week: squats, lunges, calf raises"
    )
    second = session(0, Workout.STRENGTH, sport="WeightTraining", km=0)
    assert line(block_for(second, [lift])[2:], "Strength") == (
        "Strength: 2 of 2-3 this week, on target"
    )


def test_refuel_line_only_after_a_hard_session() -> None:
    assert any(x.startswith("Refuel") for x in block_for(session(0, hard=True), []))
    assert not any(x.startswith("Refuel") for x in block_for(session(0), []))


def test_imperial_units_show_miles_where_metric_shows_kilometres() -> None:
    history = [session(d, km=8) for d in range(20, 0, -3)]
    metric = line(block_for(session(0), history), "Consistency")
    imperial = line(block_for(session(0), history, units="imperial"), "Consistency")
    mean_m = sum(8000 for _ in range(8)) / 3
    assert metric.endswith(f"{format_distance(mean_m)}/week")
    assert imperial.endswith(f"{format_distance(mean_m, imperial=True)}/week")
    assert imperial.endswith(" mi/week")


def test_an_implausible_session_is_named_and_left_out() -> None:
    ride = session(3, km=22.1, minutes=47.6)
    lines = block_for(session(0), [ride, session(5)])
    assert line(lines, "Left out") == (
        f"Left out as implausible: {format_distance(22_100)} in {format_duration(47.6 * 60)}"
    )
    assert line(lines, "Mix").startswith("Mix, 28 d: 2 easy;")


def test_unknown_language_and_units_name_the_supported_ones() -> None:
    with pytest.raises(ValueError, match="supported: en"):
        block_for(session(0), [], language="tlh")
    with pytest.raises(ValueError, match="metric, imperial"):
        block_for(session(0), [], units="furlongs")


def test_another_language_is_one_more_table(monkeypatch: pytest.MonkeyPatch) -> None:
    table = {key: text.replace("Recovery", "Erholung") for key, text in MESSAGES["en"].items()}
    monkeypatch.setitem(MESSAGES, "de", table)  # type: ignore[arg-type]
    assert line(block_for(session(0), [], language="de"), "Erholung").startswith("Erholung: ")


def _logical_lines(lines: list[str]) -> list[str]:
    joined: list[str] = []
    for x in lines:
        if x.startswith(CONTINUATION):
            joined[-1] += " " + x.strip()
        else:
            joined.append(x)
    return joined


_records = st.builds(
    lambda day, workout, sport, km, minutes, load, hard, hr: SessionRecord(
        start=NOW - timedelta(minutes=day), sport=sport, workout=workout, distance_m=km * 1000,
        moving_s=minutes * 60, load=load, hard=hard, avg_hr=hr,
    ),
    st.integers(0, 70 * 1440), st.sampled_from(Workout),
    st.sampled_from(["Run", "Run", "TrailRun", "WeightTraining", "Ride"]),
    st.floats(0, 45), st.floats(1, 300), st.floats(0, 400), st.booleans(),
    st.none() | st.floats(60, 200),
)


@settings(max_examples=150, deadline=None)
@given(_records, st.lists(_records, max_size=40), st.sampled_from(["metric", "imperial"]))
def test_every_line_of_advice_shows_a_number_and_stays_short(
    current: SessionRecord, history: list[SessionRecord], units: str
) -> None:
    lines = block_for(current, history, units=units)
    advice = _logical_lines(lines[2:-1])
    assert all(any(ch.isdigit() for ch in x) for x in advice)
    assert all(len(x) <= 90 for x in lines[2:-1])
    assert len(lines) - 2 <= 12
    assert any(x.startswith("Refuel") for x in advice) == current.hard
