"""The athlete's own word on what an activity was: a label chosen on their page.

The choice replaces the analysis's label wherever an activity is analysed (an upload, a history
read, the streams pass), so the block, the weeks and the charts all follow it; the evidence
stays what the analysis found. The choice lives on the activity's row and goes with it.
"""

from __future__ import annotations

from dataclasses import replace

from analysis.engine import Analysis
from analysis.load import session_record
from analysis.model import Activity as ActivityData
from analysis.model import Workout
from worker.db import Database
from worker.models import Activity


class UnknownLabel(ValueError):
    """A label that is not one of the contract's workout labels."""


def parse(text: str) -> Workout:
    """The workout label ``text`` names.

    Raises:
        UnknownLabel: ``text`` is not one of :class:`analysis.model.Workout`'s values.
    """
    try:
        return Workout(text)
    except ValueError:
        raise UnknownLabel(f"{text!r} is not a workout label; one of: "
                           f"{', '.join(w.value for w in Workout)}") from None


def chosen(db: Database, activity_id: int) -> Workout | None:
    """The label the athlete chose for the activity; None if they did not (or it is gone)."""
    with db.read() as session:
        row = session.get(Activity, activity_id)
        label = row.workout_chosen if row is not None else None
    return Workout(label) if label else None


def corrected(analysis: Analysis, activity: ActivityData, label: Workout | None) -> Analysis:
    """``analysis`` with the athlete's ``label`` in place of its own (None: as it is); the
    session's load is the same, whether it counts as hard follows the label."""
    if label is None or label == analysis.classification.workout:
        return analysis
    classification = replace(analysis.classification, workout=label, confidence=1.0)
    record = session_record(activity, classification, analysis.profile,
                            analysis.record.activity_id)
    return replace(analysis, classification=classification, record=record)


def honour(db: Database, activity_id: int, activity: ActivityData,
           analysis: Analysis) -> Analysis:
    """``analysis`` of the activity with the label its athlete chose, if they chose one."""
    return corrected(analysis, activity, chosen(db, activity_id))
