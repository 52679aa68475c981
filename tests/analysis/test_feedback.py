"""Tests for analysis.feedback: the block a runner reads under their activity."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import engine
from analysis.description import BLOCK_BEGIN, BLOCK_END, find_block, merge
from analysis.feedback import CONTINUATION, LINE_WIDTH, render_block
from analysis.model import Activity, Lap, SessionRecord, Workout
from analysis.profile import build_profile, default_profile
from analysis.recovery import RACE_M_PER_EASY_DAY
from analysis.training import Past, summarize
from analysis.units import format_clock, format_distance
from analysis.voice import Voice
from tests.analysis.records import NOW, session
from tests.support import recordings
from tests.support.blocks import EVIDENCE, RUNPANDAS_WEEKS, block_for, varied_weeks

RUNPANDAS = Path(__file__).resolve().parents[1] / "data" / "history" / "runpandas-athlete"


def line(lines: list[str], prefix: str) -> str:
    return next(x for x in lines if x.startswith(prefix))


def test_block_is_one_well_formed_block_that_merges_into_a_description() -> None:
    lines = block_for(session(0, Workout.INTERVALS, hard=True), varied_weeks())
    text = "\n".join(lines)
    assert (lines[0], lines[-1]) == (BLOCK_BEGIN, BLOCK_END)
    assert find_block(text) == (0, len(text))
    assert merge("Track night", text) == "Track night\n\n" + text


def test_a_typical_block_fits_a_phone() -> None:
    lines = block_for(session(0, Workout.INTERVALS, hard=True), varied_weeks())
    assert len(lines) - 2 <= 12
    assert all(len(x) <= LINE_WIDTH for x in lines)


def test_headline_shows_the_label_and_its_evidence() -> None:
    lines = block_for(session(0, Workout.INTERVALS, hard=True), None)
    assert _logical_lines(lines)[1] == f"Intervals: {EVIDENCE}"


def test_headline_without_evidence_shows_distance_and_time_to_the_second() -> None:
    current = session(0, Workout.LONG, km=21.1, minutes=115 + 8 / 60)
    expected = f"{format_distance(21_100)} in {format_clock(115 * 60 + 8)}"
    assert _logical_lines(block_for(current, None, evidence=""))[1] == f"Long run: {expected}"
    assert expected.endswith("1:55:08")


def test_only_easy_runs_name_lack_of_variety_and_a_drill_with_its_muscles() -> None:
    lines = block_for(session(0), [session(d) for d in range(26, 0, -2)], days=27)
    assert line(lines, "Mix").endswith(": 14 easy; 0 % quality: too little variety")
    assert line(_logical_lines(lines), "No ") == (
        "No hills, intervals, sprints or fartlek in 14 d; add 6-8 x 1 min uphill (quads, glutes)"
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
    lines = block_for(session(0, Workout.INTERVALS, km=10, minutes=50, hard=True), history,
                      days=14)
    logical = _logical_lines(lines[1:-1])
    assert line(logical, "Recovery") == (
        "Recovery: 3 hard days in a row; 4 of 7 days rest; easy run or rest next")
    assert line(logical, "Load") == "Load, last 7 d: 1.5x the week before; running 1.5x"


def test_calm_recovery_shows_rest_days_and_the_load_line_says_what_it_compares() -> None:
    history = [session(d, load=60) for d in range(41, 0, -2)]
    lines = _logical_lines(block_for(session(0, load=60), history))
    assert line(lines, "Recovery") == "Recovery: 3 of 7 days rest"
    assert line(lines, "Load") == "Load, last 7 d: 1.1x your average week of the 4 before"


def test_a_return_after_days_off_says_so_instead_of_a_ratio() -> None:
    history = [session(d) for d in range(50, 15, -2)]
    lines = block_for(session(0), history)
    assert line(lines, "Recovery") == (
        "Recovery: back after 15 days off; build up with easy runs")
    assert not any(x.startswith(("Load", "No ")) for x in lines)


def test_after_a_race_the_next_step_is_easy_running_or_rest_not_a_drill() -> None:
    history = [session(d) for d in range(27, 0, -2)]
    race = session(0, Workout.RACE, km=10, minutes=42, hard=True)
    lines = _logical_lines(block_for(race, history, evidence="10.0 km at 4:12/km", days=28))
    assert not any(x.startswith("No ") or " add " in x for x in lines)
    assert line(lines, "Recovery") == (
        "Recovery: 3 of 7 days rest; easy runs or rest for the next 4 days")
    before = _logical_lines(block_for(session(0), history, days=28))
    assert line(before, "No ").startswith("No hills, intervals, sprints or fartlek in 14 d; add ")


def test_a_hard_session_earlier_today_makes_today_hard_for_the_next_step() -> None:
    history = [session(d) for d in range(27, 1, -2)] + [session(0.2, Workout.HILLS, hard=True)]
    lines = _logical_lines(block_for(session(0), history))
    assert line(lines, "Recovery") == (
        "Recovery: 1 hard session today; 4 of 7 days rest; easy run or rest next")
    assert not any(x.startswith("No ") for x in lines)


def test_without_history_the_block_says_so_and_claims_no_weekly_figure() -> None:
    lines = block_for(session(0, Workout.RACE, km=8.2, minutes=47, hard=True), None)
    assert lines[2:-1] == [
        "History: not read yet, so no weekly figures",
        "Muscles: calves, quads (endurance); core for form",
        "Recovery: hard session of 47:00;",
        "  easy runs or rest for the next 3 days",
        "Refuel: 20-30 g protein within 1 h, carbs before next run",
    ]
    assert block_for(session(0), None)[2:-1] == [
        "History: not read yet, so no weekly figures",
        "Muscles: calves, quads (endurance); core for form"]


def test_a_new_athlete_with_an_empty_history_gets_no_return_trend_nor_weekly_figure() -> None:
    lines = block_for(session(0, km=10.0), [], days=70)
    assert lines[2:-1] == ["History: no earlier session, so no weekly figures",
                           "Muscles: calves, quads (endurance); core for form"]
    hard = block_for(session(0, Workout.RACE, km=10.0, minutes=47 + 8 / 60, hard=True), [],
                     days=70)
    assert line(_logical_lines(hard), "Recovery") == (
        "Recovery: hard session of 47:08; easy runs or rest for the next 4 days")
    assert not any("days off" in x or "/week" in x for x in hard)


def test_one_run_in_eight_weeks_is_no_trend_and_weekly_distance_stays_in_kilometres() -> None:
    lines = block_for(session(0, km=4.0, minutes=25), [session(30, km=3.9, minutes=25)], days=56)
    assert line(_logical_lines(lines), "Consistency") == (
        "Consistency: 0.2 runs/week over 8 weeks, 1.0 km/week; aim for 3 a week")
    assert not any(x.startswith("Progress") for x in lines)
    assert not any(x.startswith("Load") for x in lines)


def test_two_strength_sessions_on_one_day_are_one_strength_day() -> None:
    lifts = [session(1, Workout.STRENGTH, sport="WeightTraining", km=0) for _ in range(2)]
    lines = block_for(session(0), lifts)
    assert line(lines, "Strength") == "Strength: 1 of 2-3 this week: squats, lunges, calf raises;"


def test_a_history_shorter_than_a_week_says_how_short() -> None:
    lines = block_for(session(0), [session(2)], days=4)
    assert lines[2:-1] == [
        "History: only 4 d on record",
        "Muscles: calves, quads (endurance); core for form",
        "Strength: 0 of 2-3 this week: squats, lunges, calf raises;",
        "  planks, hip bridges for core and hips",
    ]


def test_a_short_history_shows_the_mix_over_the_days_it_covers() -> None:
    lines = block_for(session(0), [session(d) for d in (2, 5, 8)], days=10)
    assert line(lines, "Mix") == "Mix, 10 d: 4 easy; 0 % quality: too little variety"
    assert not any(x.startswith(("No ", "Load", "Progress")) for x in lines)


def test_a_share_of_an_assumed_maximum_heart_rate_says_so() -> None:
    current = _run(0)
    assumed = engine.analyse(current, default_profile())
    assert _logical_lines(engine.feedback(assumed, None, current).split("\n"))[1] == (
        "Easy: 8.0 km at 6:00/km, steady, HR 74 % of max (assumed 190)")
    measured = build_profile([session(d, hr=150) for d in range(10)], max_hr=185)
    known_max = engine.analyse(current, measured)
    assert _logical_lines(engine.feedback(known_max, None, current).split("\n"))[1].endswith(
        "HR 76 % of max")


def test_a_long_run_against_the_default_typical_run_names_the_default() -> None:
    current = _run(0, km=18.0)
    analysis = engine.analyse(current, default_profile())
    assert _logical_lines(engine.feedback(analysis, None, current).split("\n"))[1] == (
        "Long run: 18.0 km at 6:00/km, long by the default 15.0 km / 1:30 h (no run history)")


def test_the_headline_is_the_classifiers_evidence_word_for_word() -> None:
    evidence = "8.2 km at 5:50/km, even splits (5:36-5:59/km), HR 92 % of max all the way"
    assert _logical_lines(block_for(session(0, Workout.RACE), None, evidence))[1] == (
        f"Race: {evidence}")


def test_strength_counts_sessions_this_week_against_two_to_three() -> None:
    lift = session(1, Workout.STRENGTH, sport="WeightTraining", km=0)
    assert line(_logical_lines(block_for(session(0), [lift])), "Strength") == (
        "Strength: 1 of 2-3 this week: squats, lunges, calf raises; "
        "planks, hip bridges for core and hips"
    )
    second = session(0, Workout.STRENGTH, sport="WeightTraining", km=0)
    lines = block_for(second, [lift], evidence="45 min of WeightTraining")
    assert lines[1] == "Strength session: 45 min of WeightTraining"
    assert line(lines, "Strength:") == "Strength: 2 of 2-3 this week, on target"


def test_refuel_line_only_after_a_hard_session() -> None:
    assert any(x.startswith("Refuel") for x in block_for(session(0, hard=True), None))
    assert not any(x.startswith("Refuel") for x in block_for(session(0), None))


def test_imperial_units_show_miles_where_metric_shows_kilometres() -> None:
    history = [session(d, km=8) for d in range(20, 0, -3)]
    metric = line(block_for(session(0), history, days=21), "Consistency")
    imperial = line(block_for(session(0), history, days=21, voice=Voice(units="imperial")),
                    "Consistency")
    mean_m = sum(8000 for _ in range(8)) / 3
    assert metric.endswith(f"{format_distance(mean_m)}/week;")
    assert imperial.endswith(f"{format_distance(mean_m, imperial=True)}/week;")
    assert imperial.endswith(" mi/week;")


def test_an_implausible_session_is_named_under_itself_and_left_out_of_the_figures() -> None:
    ride = session(0, km=22.1, minutes=47.6)
    lines = block_for(ride, [session(5)])
    assert line(lines, "Left out") == (
        f"Left out as implausible: {format_distance(22_100)} in {format_clock(47.6 * 60)}"
    )
    assert line(lines, "Mix").startswith("Mix, 28 d: 1 easy;")


def test_an_earlier_implausible_session_is_not_named_under_a_later_run() -> None:
    ride = session(3, km=22.1, minutes=47.6)
    lines = block_for(session(0), [ride, session(5)])
    assert not any(x.startswith("Left out") for x in lines)
    assert line(lines, "Mix").startswith("Mix, 28 d: 2 easy;")


def test_unknown_units_and_sections_name_the_supported_ones() -> None:
    with pytest.raises(ValueError, match="metric, imperial"):
        Voice(units="furlongs")
    with pytest.raises(ValueError, match="supported: variety, recovery"):
        Voice(sections=frozenset({"weather"}))


class _Erholung:
    """A catalogue that knows one word."""

    def gettext(self, message: str) -> str:
        return "Erholung" if message == "Recovery" else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


def test_another_language_is_one_more_catalogue() -> None:
    lines = block_for(session(0), [session(1)], voice=Voice(language="de",
                                                             translator=_Erholung()))
    assert line(lines, "Erholung").startswith("Erholung: ")


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
    lines = block_for(current, history, voice=Voice(units=units))
    advice = [x for x in _logical_lines(lines)[2:-1] if not x.startswith(("History", "Muscles"))]
    assert all(any(ch.isdigit() for ch in x) for x in advice)
    assert all(len(x) <= 90 for x in lines[2:-1])
    assert len(_logical_lines(lines)) - 2 <= 12
    assert any(x.startswith("Refuel") for x in advice) == current.hard


def _run(days_ago: int, km: float = 8.0) -> Activity:
    """An even run at 6:00/km: its kilometre splits back the headline's "steady"."""
    splits = tuple(Lap(360.0 * k, 360.0, 360.0, 1000.0, 140.0) for k in range(int(km)))
    return Activity("Run", NOW - timedelta(days=days_ago, hours=2), km * 360, km * 360, km * 1000,
                    avg_hr=140.0, max_hr=160.0, splits=splits)


def test_engine_reads_none_and_an_empty_list_as_no_history_and_a_past_as_known() -> None:
    history = [engine.analyse(_run(d), default_profile(), activity_id=d).record
               for d in range(30, 0, -3)]
    current = _run(0)
    analysis = engine.analyse(current, engine.profile_for(history, current))
    unknown = engine.feedback(analysis, None, current)
    assert engine.feedback(analysis, [], current) == unknown
    assert "History: not read yet, so no weekly figures" in unknown.split("\n")
    as_list = engine.feedback(analysis, history, current)
    assert "Mix, 28 d: " in as_list
    since = NOW - timedelta(days=60)
    as_past = engine.feedback(analysis, Past(tuple(history), since), current)
    assert "runs/week over 8 weeks" in as_past
    assert "runs/week over 4 weeks" in as_list


def test_a_real_race_after_the_runpandas_weeks_reads_as_a_lighter_week_with_easy_days(
) -> None:
    # The athlete's 5.1 km race of 2021-04-02 (even, run through), as the engine records it,
    # placed after their last eight weeks. (The 8.2 km of 2021-07-04 this test used to
    # count as a race stood still for 2:48: no race.)
    race_day = datetime(2021, 7, 4, 8, 0, tzinfo=UTC)

    def run(days: int, workout: Workout, km: float, minutes: float, load: float, hard: bool,
            hr: float) -> SessionRecord:
        return SessionRecord(race_day - timedelta(days=days), "Run", workout, km * 1000,
                             minutes * 60, load, hard, avg_hr=hr)

    history = [run(*week) for week in RUNPANDAS_WEEKS]
    path = RUNPANDAS / "5a37ceaf-18be-46ed-8a81-df908f8cbd3f.gpx.gz"
    recording = recordings.activity(path)
    analysis = engine.analyse(recording, default_profile())
    assert analysis.classification.workout is Workout.RACE
    race = replace(analysis.record, start=race_day)
    now = race_day + timedelta(seconds=recording.elapsed_s)
    summary = summarize(race, Past(tuple(history), race_day - timedelta(days=365)), now)
    lines = render_block(analysis.classification, race, summary).split("\n")
    km_a_week = (sum(week[2] for week in RUNPANDAS_WEEKS) + race.distance_m / 1000) / 8
    last_7_d = race.load + sum(w[4] for w in RUNPANDAS_WEEKS if w[0] < 7)
    weeks_before = sum(w[4] for w in RUNPANDAS_WEEKS if 7 <= w[0] < 35) / 4
    easy_days = -(-race.distance_m // RACE_M_PER_EASY_DAY)
    assert _logical_lines(lines)[2:8] == [
        "Mix, 28 d: 4 easy, 1 long, 1 race; 17 % quality",
        "Muscles: calves, quads (endurance); core for form",
        f"Recovery: 6 of 7 days rest; easy runs or rest for the next {easy_days:.0f} days",
        f"Load, last 7 d: {last_7_d / weeks_before:.1f}x your average week of the 4 before",
        "Strength: 0 of 2-3 this week: squats, lunges, calf raises; "
        "planks, hip bridges for core and hips",
        f"Consistency: 1.2 runs/week over 8 weeks, {km_a_week:.1f} km/week; aim for 3 a week",
    ]
    assert not any(" add " in x for x in lines)


def test_a_rerun_with_the_activity_stored_in_history_gives_the_same_block() -> None:
    current = _run(0)
    analysis = engine.analyse(current, default_profile(), activity_id=7)
    first = engine.feedback(analysis, [], current)
    assert engine.feedback(analysis, [analysis.record], current) == first
    later = engine.analyse(_run(-1), default_profile(), activity_id=8).record
    assert engine.feedback(analysis, [analysis.record, later], current) == first


def test_after_hours_of_effort_the_refuel_line_says_carbs_now() -> None:
    ultra = session(0, Workout.LONG, km=50, minutes=340, hard=True)
    assert line(block_for(ultra, None), "Refuel") == (
        "Refuel: carbs now, 1 g/kg an hour for 4 h; 20-30 g protein")
    hour = session(0, Workout.TEMPO, km=12, minutes=60, hard=True)
    assert "carbs before next run" in line(block_for(hour, None), "Refuel")


@pytest.mark.parametrize(("workout", "ascent", "expected"), [
    (Workout.EASY, 20.0, "Muscles: calves, quads (endurance); core for form"),
    (Workout.EASY, 300.0, "Muscles: glutes, calves, hip flexors (hills); core for form"),
    (Workout.HILLS, 150.0, "Muscles: glutes, calves, hip flexors (hills); core for form"),
    (Workout.SPRINTS, 0.0, "Muscles: hamstrings, glutes (speed); core for form"),
])
def test_the_block_names_the_muscles_todays_run_worked(
    workout: Workout, ascent: float, expected: str
) -> None:
    run = replace(session(0, workout, km=10), ascent_m=ascent)
    assert line(block_for(run, None), "Muscles") == expected


def test_no_muscles_are_named_for_a_session_that_is_not_a_judged_run() -> None:
    lift = session(0, Workout.STRENGTH, sport="WeightTraining", km=0)
    other = session(0, Workout.OTHER, km=1.0, minutes=4)
    assert not any(x.startswith("Muscles") for x in block_for(lift, None) + block_for(other, None))


def test_consistency_names_its_target_only_below_three_runs_a_week() -> None:
    few = _logical_lines(block_for(session(0), [session(d) for d in range(50, 0, -7)]))
    assert line(few, "Consistency").endswith("; aim for 3 a week")
    many = _logical_lines(block_for(session(0), [session(d) for d in range(50, 0, -2)]))
    assert "aim for" not in line(many, "Consistency")


def test_days_are_the_athletes_local_days_when_the_caller_gives_the_offset() -> None:
    # 21:00 and 22:30 UTC on Tuesday are 23:00 on Tuesday and 00:30 on Wednesday at UTC+2.
    evening = datetime(2024, 5, 14, 21, 0, tzinfo=UTC)
    runs = [Activity("Run", evening - timedelta(days=d), 2400.0, 2400.0, 8000.0)
            for d in range(40, 9, -3)] + [Activity("Run", evening, 2400.0, 2400.0, 8000.0)]
    history = [engine.analyse(a, default_profile(), activity_id=i).record
               for i, a in enumerate(runs)]
    late = Activity("Run", evening + timedelta(minutes=90), 2400.0, 2400.0, 8000.0)
    analysis = engine.analyse(late, default_profile(), activity_id=99)

    def rest(offset: timedelta | None) -> str:
        text = engine.feedback(analysis, history, late, utc_offset=offset).split("\n")
        return line(text, "Recovery")

    assert rest(None).startswith("Recovery: 6 of 7 days rest")
    assert rest(timedelta(hours=2)).startswith("Recovery: 5 of 7 days rest")
