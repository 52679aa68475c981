"""``stridewise analyze``: the analysis engine on files, without Strava."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from analysis import engine
from analysis.model import Activity, SessionRecord
from analysis.parsers import ActivityFileError, parse_activity

#: File endings the parsers understand, optionally followed by ".gz".
SUFFIXES = (".fit", ".gpx", ".tcx", ".json")


@dataclass(frozen=True)
class Judged:
    name: str
    activity: Activity
    analysis: engine.Analysis
    block: str


def run_analyze(files: Sequence[str], as_json: bool, history_dir: str | None,
                units: str = "metric", out: TextIO | None = None,
                err: TextIO | None = None) -> int:
    """Analyse ``files`` (against the history in ``history_dir``); 1 if any file failed."""
    out = out or sys.stdout
    err = err or sys.stderr
    history: list[SessionRecord] = []
    if history_dir is not None:
        directory = Path(history_dir)
        if not directory.is_dir():
            print(f"stridewise: {history_dir}: not a directory", file=err)
            return 1
        history = build_history(_read_all(_activity_files(directory), err))
        print(f"history: {len(history)} activities from {history_dir}", file=err)
    failed = False
    for name in files:
        loaded = _read(Path(name), err)
        if loaded is None:
            failed = True
            continue
        judged = judge(name, loaded, history, units)
        out.write(_json_line(judged) if as_json else _text(judged))
        out.flush()
    return 1 if failed else 0


def judge(name: str, activity: Activity, history: Sequence[SessionRecord],
          units: str = "metric") -> Judged:
    """Classify ``activity`` against what happened before it, and render its block."""
    profile = engine.profile_for(history, activity)
    analysis = engine.analyse(activity, profile, units=units)
    return Judged(name, activity, analysis, engine.feedback(analysis, history, activity, units))


def build_history(activities: Iterable[Activity]) -> list[SessionRecord]:
    """Records of past activities, oldest first, each judged against those before it."""
    records: list[SessionRecord] = []
    for index, activity in enumerate(sorted(activities, key=lambda a: a.start)):
        profile = engine.profile_for(records, activity)
        records.append(engine.analyse(activity, profile, activity_id=index).record)
    return records


def _activity_files(directory: Path) -> list[Path]:
    return sorted(
        p for p in directory.iterdir()
        if p.is_file() and p.name.lower().removesuffix(".gz").endswith(SUFFIXES)
    )


def _read_all(paths: Iterable[Path], err: TextIO) -> list[Activity]:
    return [a for a in (_read(p, err) for p in paths) if a is not None]


def _read(path: Path, err: TextIO) -> Activity | None:
    try:
        return parse_activity(path.read_bytes(), path.name)
    except OSError as error:
        print(f"stridewise: {path}: cannot read: {error.strerror or error}", file=err)
    except ActivityFileError as error:
        print(f"stridewise: {path}: {error.reason}", file=err)
    return None


def _text(judged: Judged) -> str:
    c = judged.analysis.classification
    head = (f"{judged.name}: {judged.activity.sport} {c.workout.value} "
            f"(confidence {c.confidence:.2f}): {c.evidence}")
    return f"{head}\n{judged.block}\n\n"


def _json_line(judged: Judged) -> str:
    c, record = judged.analysis.classification, judged.analysis.record
    line: dict[str, Any] = {
        "file": judged.name,
        "sport": judged.activity.sport,
        "workout": c.workout.value,
        "confidence": round(c.confidence, 3),
        "evidence": c.evidence,
        "start": judged.activity.start.isoformat(),
        "distance_m": round(record.distance_m, 1),
        "moving_s": round(record.moving_s),
        "load": round(record.load, 1),
        "hard": record.hard,
        "feedback": judged.block,
    }
    return json.dumps(line, ensure_ascii=False) + "\n"
