"""Properties of the feedback block that hold for any history: true, safe, well formed."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.description import BLOCK_BEGIN, BLOCK_END, SEPARATOR, find_block, merge
from analysis.feedback import DRILLS, EASE, EASE_RETURN, HISTORY_NONE, heading, render_block
from analysis.load import HARD_WORKOUTS
from analysis.model import Classification, SessionRecord, Workout
from analysis.training import TrainingSummary, summarize
from analysis.voice import Voice
from tests.analysis.records import NOW
from tests.support.blocks import logical_lines
from tests.support.histories import _known_days, _records, _summary

#: Where the next step is named.
EASY_NEXT = (EASE, EASE_RETURN, "easy runs or rest")
#: Lines that speak of the weeks before the current session.
WEEKLY = ("Mix", "No ", "Load", "Strength:", "Consistency", "Progress")


_evidence = st.sampled_from([
    "",
    "8.2 km at 5:50/km, even splits (5:36-5:59/km), HR 92 % of max (assumed 190) all the way",
    "18.0 km at 6:00/km, long by the default 15.0 km / 1:30 h (no run history)",
    "4 x 6 min at 3:39-4:13/km, 3 min jog recoveries",
])


def _block(current: SessionRecord, summary: TrainingSummary, evidence: str = "",
           units: str = "metric") -> list[str]:
    classification = Classification(current.workout, 0.8, evidence)
    text = render_block(classification, current, summary, Voice(units=units))
    return text.split("\n")


@settings(max_examples=300, deadline=None)
@given(_records, st.lists(_records, max_size=40), _known_days, _evidence,
       st.sampled_from(["metric", "imperial"]))
def test_no_two_lines_of_a_block_share_a_heading(
    current: SessionRecord, history: list[SessionRecord], days: int | None, evidence: str,
    units: str,
) -> None:
    lines = _block(current, _summary(current, history, days), evidence, units)
    headings = [h for h in map(heading, lines[1:-1]) if h is not None]
    assert len(headings) == len(set(headings))


@settings(max_examples=300, deadline=None)
@given(_records, st.lists(_records, max_size=40), _known_days,
       st.sampled_from(sorted(HARD_WORKOUTS)))
def test_after_a_race_long_or_hard_session_the_next_step_is_easy_never_a_quality_session(
    current: SessionRecord, history: list[SessionRecord], days: int | None, workout: Workout
) -> None:
    for hard in (SessionRecord(**{**vars(current), "workout": workout}),
                 SessionRecord(**{**vars(current), "hard": True})):
        text = "\n".join(logical_lines(_block(hard, _summary(hard, history, days))))
        assert not any(drill in text for drill in DRILLS.values())
        assert " add " not in text
        assert any(step in text for step in EASY_NEXT)


@settings(max_examples=300, deadline=None)
@given(_records, st.lists(_records, max_size=40), st.integers(1, 90))
def test_no_load_jump_when_the_last_week_is_not_above_the_usual_one(
    current: SessionRecord, history: list[SessionRecord], days: int
) -> None:
    summary = _summary(current, history, days)
    r = summary.recovery
    lighter = r.usual_load is not None and r.week_load <= r.usual_load
    less_running = bool(r.usual_run_distance) and r.run_distance_7d <= (r.usual_run_distance or 0)
    if lighter or less_running:
        assert "load" not in r.warnings
    if less_running:
        assert "run_jump" not in r.warnings
    lines = logical_lines(_block(current, summary))
    load_line = next((x for x in lines if x.startswith("Load")), "")
    if lighter and load_line:
        ratio = re.search(r"(\d+\.\d)x", load_line)
        assert ratio is not None and float(ratio[1]) <= 1.0
    if r.returning:
        assert not load_line


@settings(max_examples=200, deadline=None)
@given(_records, _evidence)
def test_without_history_no_line_speaks_of_the_weeks_before(
    current: SessionRecord, evidence: str
) -> None:
    lines = logical_lines(_block(current, summarize(current, None, NOW), evidence))
    body = lines[2:-1]
    assert body[0] == HISTORY_NONE
    assert not any(x.startswith(WEEKLY) for x in body)
    assert not any("of 7 days rest" in x or "x your" in x for x in body)
    assert "a typical run" not in lines[1]
    assert "% of max" not in lines[1] or "(assumed 190)" in lines[1]


@settings(max_examples=300, deadline=None)
@given(_records, st.lists(_records, max_size=40), _known_days)
def test_every_line_of_advice_shows_a_number(
    current: SessionRecord, history: list[SessionRecord], days: int | None
) -> None:
    advice = ("add ", "next", "easy runs", "vary", "squats", "Refuel")
    for x in logical_lines(_block(current, _summary(current, history, days))[2:-1]):
        if any(word in x for word in advice):
            assert re.search(r"\d", x), x


_athlete_text = st.lists(
    st.sampled_from(["Hot one today.", "\n", "\r\n", " ", "é☃", BLOCK_BEGIN, BLOCK_END,
                     " " + BLOCK_END + " \r", "-- Stridewise", SEPARATOR]) | st.text(max_size=8),
    max_size=10,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_athlete_text, _records, st.lists(_records, max_size=20), _known_days)
def test_a_rendered_block_merges_with_its_markers_and_the_athlete_text_byte_for_byte(
    description: str, current: SessionRecord, history: list[SessionRecord], days: int | None
) -> None:
    block = "\n".join(_block(current, _summary(current, history, days)))
    merged = merge(description, block)
    start, end = find_block(merged) or (0, 0)
    assert merged[start:end] == block
    assert block.split("\n")[0] == BLOCK_BEGIN and block.split("\n")[-1] == BLOCK_END
    old = find_block(description)
    if old is None:
        assert merged[:start] == (description + SEPARATOR if description else "")
        assert merged[end:] == ""
    else:
        assert (merged[:start], merged[end:]) == (description[: old[0]], description[old[1]:])
