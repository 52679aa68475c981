"""bench.leave_one_out: thresholds chosen again without the source they judge."""

from __future__ import annotations

from importlib import import_module

import pytest

from analysis import efforts, segments
from bench import leave_one_out, real_accuracy
from bench.leave_one_out import THRESHOLDS, labelled, measure, thresholds
from tests.support import recordings


def test_every_threshold_named_is_a_number_of_its_module() -> None:
    for module, name in THRESHOLDS:
        assert isinstance(getattr(import_module(module), name), int | float), (module, name)


def test_a_threshold_is_changed_wherever_it_is_held_and_restored_after() -> None:
    before = efforts.BOUT_ENTRY
    assert before == segments.BOUT_ENTRY  # imported there by name
    with thresholds({("analysis.efforts", "BOUT_ENTRY"): 2.0}):
        assert efforts.BOUT_ENTRY == 2.0 and segments.BOUT_ENTRY == 2.0
    assert before == efforts.BOUT_ENTRY and before == segments.BOUT_ENTRY


def test_verdicts_change_only_for_sources_whose_thresholds_moved(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """On the repository's own labelled runs, with three thresholds: a source whose chosen
    values are the code's is judged as the code judges it, and the score with the code's
    values is what the files score without the bench."""
    recordings.read_once(monkeypatch)
    files = labelled([(real_accuracy.ADDED, real_accuracy.ADDED / "labels.csv", ())])
    assert len(files) >= 10 and len({f.source for f in files}) >= 3
    keys = [("analysis.efforts", "BOUT_MIN_RATIO"), ("analysis.repeats", "REGULAR_CV"),
            ("analysis.rules", "RACE_SPLIT_CV")]
    result = measure(files, keys)
    assert result.files == len(files)
    assert result.in_sample == sum(leave_one_out.acceptable(files).values())
    moved = {source for chosen in result.moved.values() for source, _ in chosen}
    source = {f.name: f.source for f in files}
    assert all(source[name] in moved for name, _, _ in result.differ)
    assert result.left_out == result.in_sample - sum(b for _, b, _ in result.differ) + sum(
        a for _, _, a in result.differ)


def test_the_report_names_each_moved_threshold_with_its_values_and_its_sources() -> None:
    bout, race = ("analysis.efforts", "BOUT_MIN_RATIO"), ("analysis.rules", "RACE_SPLIT_CV")
    result = leave_one_out.Result(
        files=10, sources=3, in_sample=9, left_out=8, code={bout: 1.2, race: 0.05},
        moved={bout: [("a", 1.02), ("b", 1.02), ("c", 1.02)], race: [("b", 0.0575)]},
        differ=[("b-run.fit", True, False)], generated={bout: (1.02, 100, 90, 120)})
    text = leave_one_out.report(result)
    assert "| 9/10 (90 %) |" in text and "| 8/10 (80 %) |" in text
    assert "efforts.BOUT_MIN_RATIO 1.2 -> 1.02 for all 3 sources" in text
    assert "rules.RACE_SPLIT_CV 0.05 -> 0.0575 for 1 (b)" in text
    assert "90/120 classified as generated, against 100" in text
    assert "b-run.fit acceptable -> missed" in text
