"""The feedback block as the tests build and read it: rendered for a session and a history,
histories to render it for, and its lines joined as a reader reads them."""

from __future__ import annotations

from analysis.feedback import heading, render_block
from analysis.model import Classification, SessionRecord, Workout
from analysis.training import summarize
from analysis.voice import DEFAULT, Voice
from tests.analysis.records import NOW, known, session

EVIDENCE = "4 x 6 min at 3:39-4:13/km, 3 min jog recoveries"


#: Days of history the examples know, unless they say otherwise: eight whole weeks.
KNOWN_DAYS = 56


def block_for(
    current: SessionRecord,
    history: list[SessionRecord] | None,
    evidence: str = EVIDENCE,
    days: int = KNOWN_DAYS,
    voice: Voice = DEFAULT,
) -> list[str]:
    """The rendered block's lines, markers included; ``history`` None: no history read."""
    classification = Classification(current.workout, 0.9, evidence)
    past = None if history is None else known(history, days)
    summary = summarize(current, past, NOW)
    return render_block(classification, current, summary, voice).split("\n")


def varied_weeks() -> list[SessionRecord]:
    plan = [Workout.EASY, Workout.LONG, Workout.EASY, Workout.INTERVALS, Workout.EASY,
            Workout.EASY, Workout.HILLS]
    return [
        session(d, plan[d % len(plan)], km=9, minutes=50, hr=150,
                hard=plan[d % len(plan)] in (Workout.INTERVALS, Workout.HILLS))
        for d in range(50, 1, -2)
    ]


#: The last eight weeks of the runpandas athlete of shared/data (README's example), as the
#: engine records them: days before 2021-07-04, label, km, minutes, TRIMP, hard, average HR.
RUNPANDAS_WEEKS = [
    (44, Workout.EASY, 4.1, 25, 68, False, 167), (37, Workout.EASY, 7.3, 44, 140, False, 173),
    (35, Workout.LONG, 10.1, 62, 164, True, 165), (28, Workout.EASY, 8.1, 50, 130, False, 162),
    (23, Workout.EASY, 4.2, 26, 70, False, 167), (21, Workout.LONG, 15.6, 92, 284, True, 169),
    (14, Workout.EASY, 9.9, 60, 199, True, 171), (11, Workout.EASY, 4.1, 27, 57, False, 157),
    (7, Workout.EASY, 5.0, 32, 82, False, 167),
]


def logical_lines(lines: list[str]) -> list[str]:
    joined: list[str] = []
    for x in lines:
        if heading(x) is None:
            joined[-1] += " " + x.strip()
        else:
            joined.append(x)
    return joined
