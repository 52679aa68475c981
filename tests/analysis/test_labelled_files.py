"""Every labelled real file of tests/data gets its label or the acceptable alternative."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

from analysis import engine
from analysis.classify import classify, classify_summary
from analysis.model import Activity, SessionRecord, Workout
from tests.conftest import TEST_DATA
from tests.support import recordings


def labelled_rows() -> list[dict[str, str]]:
    with (TEST_DATA / "labels.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def parsed(path: Path) -> Activity:
    return recordings.activity(path)


@pytest.mark.parametrize("row", labelled_rows(), ids=lambda row: row["file"])
def test_labelled_file_gets_its_label_or_the_acceptable_one(
    test_data: Path, row: dict[str, str]
) -> None:
    result = classify(parsed(test_data / row["file"]))
    accepted = {Workout(row["workout"])} | (
        {Workout(row["also_acceptable"])} if row["also_acceptable"] else set())
    assert result.workout in accepted, result.evidence
    assert result.evidence


@pytest.mark.parametrize("row", labelled_rows(), ids=lambda row: row["file"])
def test_a_decided_summary_agrees_with_the_full_classification(
    test_data: Path, row: dict[str, str]
) -> None:
    verdict = classify_summary(parsed(test_data / row["file"]))
    if verdict.decided:
        accepted = {row["workout"], row["also_acceptable"]}
        assert verdict.classification.workout.value in accepted, verdict.reason


def test_the_unlabelled_58_minute_run_walk_is_not_a_sprint_session(test_data: Path) -> None:
    result = classify(parsed(test_data / "runs" / "sweatpy-run-58min.tcx.gz"))
    assert result.workout not in {Workout.SPRINTS, Workout.INTERVALS, Workout.FARTLEK}, (
        result.evidence)


def test_a_year_of_phone_recorded_runs_is_not_read_as_a_year_of_workouts(
    test_data: Path,
) -> None:
    """Phone GPS wanders: judged run by run against its past, the athlete's history
    holds no sprints and hardly any surges (a fartlek now and then at most)."""
    folder = test_data / "history" / "runpandas-athlete"
    runs = sorted((parsed(p) for p in folder.glob("*.gpx.gz")), key=lambda a: a.start)
    records: list[SessionRecord] = []
    labels = []
    for index, run in enumerate(runs):
        judged = engine.analyse(run, engine.profile_for(records, run), activity_id=index)
        records.append(judged.record)
        labels.append(judged.classification.workout)
    assert len(labels) == len(list(folder.glob("*.gpx.gz")))
    assert Workout.SPRINTS not in labels
    assert labels.count(Workout.FARTLEK) + labels.count(Workout.INTERVALS) <= 0.05 * len(labels)
