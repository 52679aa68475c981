"""Leave one source out: do the thresholds of the rules carry to sources they were not tuned on?

The rules of analysis/ were written by hand, each threshold set with the labelled recordings in
view. Their thresholds can be chosen again without a source, though. For each source (the
prefix of a file's name: one repository, or one athlete of it), each threshold of
:data:`THRESHOLDS` takes the value of its grid (the value in the code, and :data:`SPREAD` either
side) on which the files of every *other* source score best, the code's value winning ties.
The source's files are then judged with the thresholds so chosen. The score left out, beside
the score with the code's values, says how much of the accuracy the thresholds owe to the files
they were tuned on. A threshold that moves for many sources was set by few of them.

Only the thresholds are chosen again. The rules themselves were written with every set in view,
each blind batch excepted until its one blind score (bench/real_accuracy.py): those scores
measure the rules; this measures their thresholds.

    SHARED_DATA=... STRIDEWISE_HELDOUT_DATA=... STRIDEWISE_BLIND_DATA=... \\
        python -m bench.leave_one_out
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path

from analysis import synthetic
from analysis.classify import classify
from bench import real_accuracy
from worker.analyze import judge_file, read_recording

#: The thresholds chosen again, as (module, name): those the rules that tell sessions apart
#: turn on (bouts, repeats, races, tempo, hills, heart rate).
THRESHOLDS: tuple[tuple[str, str], ...] = (
    ("analysis.efforts", "BOUT_ENTRY"),
    ("analysis.efforts", "BOUT_MIN_RATIO"),
    ("analysis.efforts", "JOG_PERCENTILE"),
    ("analysis.efforts", "CORE_FRACTION"),
    ("analysis.efforts", "STANDING_REST_CV"),
    ("analysis.repeats", "REGULAR_CV"),
    ("analysis.repeats", "PACE_CV"),
    ("analysis.repeats", "RECOVERY_CV"),
    ("analysis.repeats", "FARTLEK_GROUND_RATIO"),
    ("analysis.rules", "RACE_SPLIT_CV"),
    ("analysis.rules", "RACE_HR_FRAC"),
    ("analysis.rules", "TEMPO_BLOCK_S"),
    ("analysis.segments", "TEMPO_MIN_S"),
    ("analysis.climbs", "HILL_HR_RISE_BPM"),
    ("analysis.climbs", "GROUND_STEP"),
    ("analysis.evidence", "HARD_PEAK_HR_FRAC"),
)
#: Each threshold's grid: its value in the code, and that value this share lower and higher.
SPREAD = 0.15

Key = tuple[str, str]


@dataclass(frozen=True)
class Labelled:
    """One labelled recording, read once: its name, source and acceptable answers."""

    name: str
    source: str
    acceptable: frozenset[str]
    path: Path
    loaded: tuple[list[object], object | None]


@dataclass(frozen=True)
class Result:
    files: int
    sources: int
    in_sample: int  # files acceptable with the code's thresholds
    left_out: int  # files acceptable with thresholds chosen on the other sources
    code: dict[Key, float]  # the thresholds' values in the code
    #: per threshold: the sources for which another value than the code's was chosen, each
    #: with that value
    moved: dict[Key, list[tuple[str, float]]]
    #: the files whose verdict differs between the two, as (name, in sample, left out)
    differ: list[tuple[str, bool, bool]]
    #: for a threshold chosen otherwise for most sources: the generated sessions right with
    #: the code's value and with that value, of how many
    generated: dict[Key, tuple[float, int, int, int]]


def labelled(sets: Sequence[tuple[Path, Path, tuple[Path, ...]]] | None = None
             ) -> list[Labelled]:
    """Every labelled recording of ``sets`` (default: every set on this machine,
    :func:`bench.real_accuracy.labelled_sets`), each once."""
    seen: dict[str, Labelled] = {}
    for folder, labels, elsewhere in real_accuracy.labelled_sets() if sets is None else sets:
        for row in real_accuracy.rows(labels):
            name = Path(row["file"]).name
            path = real_accuracy.locate(row["file"], (folder, *elsewhere))
            if path is None or name in seen:
                continue
            loaded = read_recording(path, io.StringIO(), whole_multisport=True)
            if loaded is None:
                continue
            seen[name] = Labelled(name, real_accuracy.source_of(name),
                                  real_accuracy.acceptable_answers(row), path,
                                  loaded)  # type: ignore[arg-type]
    return list(seen.values())


def code_values(keys: Sequence[Key] = THRESHOLDS) -> dict[Key, float]:
    return {key: float(getattr(import_module(key[0]), key[1])) for key in keys}


@contextmanager
def thresholds(values: Mapping[Key, float]) -> Iterator[None]:
    """The analysis with ``values`` in place of the code's, in every module that holds each
    (a threshold imported by name into another module is held there too)."""
    original = code_values(list(values))
    modules = [m for name, m in sys.modules.items() if name.startswith("analysis")]
    changed: list[tuple[object, str, object]] = []
    try:
        for key, value in values.items():
            for module in modules:
                held = getattr(module, key[1], None)
                if isinstance(held, int | float) and held == original[key]:
                    changed.append((module, key[1], held))
                    setattr(module, key[1], type(held)(value))
        yield
    finally:
        for module, name, held in reversed(changed):
            setattr(module, name, held)


def acceptable(files: Sequence[Labelled]) -> dict[str, bool]:
    """Whether each file's first verdict is one of its acceptable answers."""
    out = {}
    for f in files:
        sessions, whole = f.loaded
        first = judge_file(str(f.path), sessions, whole, [])[0]  # type: ignore[arg-type]
        out[f.name] = first.analysis.classification.workout.value in f.acceptable
    return out


def measure(files: Sequence[Labelled] | None = None,
            keys: Sequence[Key] = THRESHOLDS) -> Result:
    """The score of ``files`` (default: every labelled recording here) with the code's values
    of ``keys`` and with values chosen for each source on the others."""
    files = labelled() if files is None else files
    code = code_values(keys)
    base = acceptable(files)
    # each threshold at each value of its grid, the others at the code's
    scores: dict[tuple[Key, float], dict[str, bool]] = {}
    for key, value in code.items():
        for factor in (1 - SPREAD, 1 + SPREAD):
            with thresholds({key: value * factor}):
                scores[(key, value * factor)] = acceptable(files)
    sources = sorted({f.source for f in files})
    left_out: dict[str, bool] = {}
    moved: dict[Key, list[tuple[str, float]]] = {key: [] for key in code}
    for source in sources:
        inside = [f for f in files if f.source == source]
        others = [f.name for f in files if f.source != source]
        chosen = {}
        for key, value in code.items():
            best, best_score = value, sum(base[n] for n in others)
            for factor in (1 - SPREAD, 1 + SPREAD):
                score = sum(scores[(key, value * factor)][n] for n in others)
                if score > best_score:
                    best, best_score = value * factor, score
            chosen[key] = best
            if best != value:
                moved[key].append((source, best))
        with thresholds(chosen):
            left_out.update(acceptable(inside))
    differ = [(f.name, base[f.name], left_out[f.name]) for f in files
              if base[f.name] != left_out[f.name]]
    generated = {}
    for key, chosen in moved.items():
        values = [value for _, value in chosen]
        if 2 * len(values) > len(sources):
            most = max(set(values), key=values.count)
            with thresholds({key: most}):
                moved_right, count = generated_right()
            generated[key] = (most, generated_right()[0], moved_right, count)
    return Result(len(files), len(sources), sum(base.values()), sum(left_out.values()),
                  code, moved, differ, generated)


#: The generated sessions a moved threshold is tried on: this many of each label, for each of
#: this many seeds.
GENERATED_PER_LABEL = 40
GENERATED_SEEDS = 5


def generated_right() -> tuple[int, int]:
    """How many of analysis.synthetic's labelled sessions are classified as their label, of
    how many."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    sessions = [pair for seed in range(GENERATED_SEEDS)
                for pair in synthetic.labelled_set(GENERATED_PER_LABEL, seed, start)]
    return sum(classify(activity).workout is label for label, activity in sessions), len(sessions)


def report(result: Result) -> str:
    lines = ["## Leave one source out (the rules' thresholds)\n",
             f"`python -m bench.leave_one_out`: {len(THRESHOLDS)} thresholds of analysis/, each "
             f"on a grid of its value in the code and {round(100 * SPREAD)} % either side, "
             f"chosen again for each of {result.sources} sources (a file name's prefix) on the "
             f"{result.files} labelled recordings of the other sources, every set on this "
             "machine together (the blind batches after their blind scores, so not blind).\n",
             "| thresholds | acceptable |", "| --- | --- |",
             f"| the code's, tuned with every source in view | {result.in_sample}/{result.files} "
             f"({real_accuracy.pct(result.in_sample, result.files)}) |",
             f"| chosen without the source judged | {result.left_out}/{result.files} "
             f"({real_accuracy.pct(result.left_out, result.files)}) |", ""]
    moved = {k: v for k, v in result.moved.items() if v}
    if moved:
        lines.append("Chosen otherwise than the code: " + "; ".join(
            _moved(key, result.code[key], chosen, result.sources)
            for key, chosen in moved.items()) + ".")
    else:
        lines.append("Every source's thresholds came out as the code's.")
    for key, (value, before, after, count) in result.generated.items():
        lines.append(f"\nThe generated sessions of analysis.synthetic (which the choice does not "
                     f"count) with {key[0].rsplit('.', 1)[1]}.{key[1]} at {value:.4g}: "
                     f"{after}/{count} classified as generated, against {before} with the "
                     "code's value.")
    if result.differ:
        lines.append("\nVerdicts that change (acceptable with the code's thresholds -> chosen "
                     "without the source): " + "; ".join(
                         f"{name} {_ok(before)} -> {_ok(after)}"
                         for name, before, after in result.differ) + ".")
    return "\n".join(lines) + "\n"


#: Sources named one by one when a threshold moved for at most this many.
NAMED_SOURCES = 12


def _moved(key: Key, code: float, chosen: list[tuple[str, float]], sources: int) -> str:
    """``climbs.GROUND_STEP 1.05 -> 0.8925 for all 148 sources``."""
    by_value: dict[float, list[str]] = {}
    for source, value in chosen:
        by_value.setdefault(value, []).append(source)
    name = f"{key[0].rsplit('.', 1)[1]}.{key[1]}"
    return ", ".join(
        f"{name} {code:g} -> {value:.4g} for "
        + (f"all {sources} sources" if len(names) == sources
           else f"{len(names)} ({', '.join(names)})" if len(names) <= NAMED_SOURCES
           else f"{len(names)} of {sources} sources")
        for value, names in sorted(by_value.items()))


def _ok(fine: bool) -> str:
    return "acceptable" if fine else "missed"




if __name__ == "__main__":
    print(report(measure()))
