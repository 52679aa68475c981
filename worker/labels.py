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


def corrected(analysis: Analysis, activity: ActivityData, label: Workout | None) -> Analysis:
    """``analysis`` with the athlete's ``label`` in place of its own (None: as it is); the
    session's load is the same, whether it counts as hard follows the label."""
    if label is None or label == analysis.classification.workout:
        return analysis
    classification = replace(analysis.classification, workout=label, confidence=1.0)
    record = session_record(activity, classification, analysis.profile,
                            analysis.record.activity_id)
    return replace(analysis, classification=classification, record=record)
