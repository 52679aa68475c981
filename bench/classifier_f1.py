"""Classifier quality: per-label precision, recall and F1 on a generated set, and the
labelled real files of tests/data.

Run from the repository root: ``python bench/classifier_f1.py [--per-label N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.classify import classify  # noqa: E402
from analysis.model import Workout  # noqa: E402
from analysis.synthetic import labelled_set  # noqa: E402

LABELS = list(Workout)
START = datetime(2024, 1, 1, 7, 0, tzinfo=UTC)


def confusion(truth: list[Workout], predicted: list[Workout]) -> np.ndarray:
    """Counts of (true label, predicted label), in the order of :class:`Workout`."""
    matrix = np.zeros((len(LABELS), len(LABELS)), dtype=int)
    for t, p in zip(truth, predicted, strict=True):
        matrix[LABELS.index(t), LABELS.index(p)] += 1
    return matrix


def report(matrix: np.ndarray) -> float:
    """Print precision, recall and F1 per label and the confusion matrix; return macro-F1."""
    f1s = []
    print(f"{'label':<15}{'precision':>10}{'recall':>8}{'F1':>7}")
    for i, label in enumerate(LABELS):
        tp = matrix[i, i]
        precision = tp / matrix[:, i].sum() if matrix[:, i].sum() else 0.0
        recall = tp / matrix[i].sum() if matrix[i].sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        print(f"{label.value:<15}{precision:>10.2f}{recall:>8.2f}{f1:>7.2f}")
    short = [label.value[:5] for label in LABELS]
    print("\nconfusion (rows: truth, columns: predicted)")
    print(" " * 15 + "".join(f"{s:>6}" for s in short))
    for label, row in zip(LABELS, matrix, strict=True):
        print(f"{label.value:<15}" + "".join(f"{v:>6}" for v in row))
    return float(np.mean(f1s))


def labelled_files(data: Path) -> None:
    """Classify every labelled file of tests/data and say whether the label fits."""
    from analysis.parsers import ActivityFileError, parse_activity

    with (data / "labels.csv").open() as handle:
        for row in csv.DictReader(handle):
            path = data / row["file"]
            try:
                result = classify(parse_activity(path.read_bytes(), path.name))
            except ActivityFileError as error:
                print(f"ERR  {row['file']}: {error}")
                continue
            fits = result.workout.value in (row["workout"], row["also_acceptable"])
            print(f"{'ok ' if fits else 'BAD'}  {row['file']}: {result.workout.value} "
                  f"(label {row['workout']}) - {result.evidence}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-label", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--data", type=Path,
                        default=Path(__file__).resolve().parent.parent / "tests" / "data")
    args = parser.parse_args()
    pairs = labelled_set(args.per_label, args.seed, START)
    began = time.perf_counter()
    predicted = [classify(activity).workout for _, activity in pairs]
    elapsed = time.perf_counter() - began
    print(f"{len(pairs)} generated activities, classified in {elapsed:.2f} s\n")
    macro = report(confusion([label for label, _ in pairs], predicted))
    print(f"\nmacro-F1 {macro:.3f}\n")
    if (args.data / "labels.csv").is_file():
        labelled_files(args.data)


if __name__ == "__main__":
    main()
