"""``stridewise analyze``: the analysis engine on files, without Strava.

A file may hold several sessions (the legs of a triathlon, two runs hours apart, a
TCX with runs on three days); each is judged on its own and reported on its own
line, numbered ``session`` 1..``sessions``. A multisport event (legs of
different endurance sports, as a triathlon: see MIN_LEG_S) is one event to the
athlete, and the one label a coach gives such a file is for the whole: its first
line judges the whole file (``"session": "all"``, sport ``Multisport``), then come
its legs. Other sessions (runs hours or days apart, a ride then strength work) are
separate outings: one line each, no whole-file line. In a history, every session
counts once, however many files recorded it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from analysis import engine
from analysis.model import Activity, SessionRecord, is_strength
from analysis.parsers import ActivityFileError, parse_activity, parse_sessions
from analysis.parsers.sessions import Span, distinct, same_session
from analysis.voice import DEFAULT, Voice

#: File endings the parsers understand, optionally followed by ".gz".
SUFFIXES = (".fit", ".gpx", ".tcx", ".json")


#: The ``session`` of the line that judges a multisport file as a whole.
WHOLE_FILE = "all"
#: A file is a multisport event, judged as a whole too, when at least two legs of
#: different sports last this long: the shortest triathlon leg of the real
#: recordings (a 513 m open-water swim) takes 11 min, while a file of legs lasting
#: seconds is a device test.
MIN_LEG_S = 300.0


@dataclass(frozen=True)
class Judged:
    name: str
    activity: Activity
    analysis: engine.Analysis
    block: str
    session: int | str = 1
    sessions: int = 1


def run_analyze(files: Sequence[str], as_json: bool, history_dir: str | None,
                voice: Voice = DEFAULT, out: TextIO | None = None,
                err: TextIO | None = None) -> int:
    """Analyse ``files`` (against the history in ``history_dir``), evidence and blocks in
    ``voice``; 1 if any file failed."""
    out = out or sys.stdout
    err = err or sys.stderr
    history: list[SessionRecord] = []
    if history_dir is not None:
        directory = Path(history_dir)
        if not directory.is_dir():
            print(f"stridewise: {history_dir}: not a directory", file=err)
            return 1
        history = build_history(distinct(_read_all(_activity_files(directory), err)))
        print(f"history: {len(history)} activities from {history_dir}", file=err)
    failed = False
    for name in files:
        loaded = read_recording(Path(name), err, whole_multisport=True)
        if loaded is None:
            failed = True
            continue
        for judged in judge_file(name, *loaded, history, voice):
            out.write(_json_line(judged) if as_json else _text(judged))
        out.flush()
    return 1 if failed else 0


def judge_file(name: str, sessions: Sequence[Activity], whole: Activity | None,
               history: Sequence[SessionRecord], voice: Voice = DEFAULT) -> list[Judged]:
    """Each session of a file judged, after the ``whole`` file (a multisport event)."""
    count = len(sessions)
    lines = []
    if whole is not None:
        lines.append(_judge(name, whole, history, voice, WHOLE_FILE, count))
    lines += [_judge(name, session, history, voice, index, count)
              for index, session in enumerate(sessions, 1)]
    return lines


def _judge(name: str, activity: Activity, history: Sequence[SessionRecord], voice: Voice,
           session: int | str, sessions: int) -> Judged:
    # A copy of this very session in the history (the FIT beside its TCX) is not its past.
    own = Span.of(activity)
    past = [r for r in history
            if not same_session(own, Span(r.start, r.moving_s, r.distance_m))]
    judged = judge(name, activity, past, voice)
    return Judged(judged.name, activity, judged.analysis, judged.block, session, sessions)


def judge(name: str, activity: Activity, history: Sequence[SessionRecord],
          voice: Voice = DEFAULT) -> Judged:
    """Classify ``activity`` against what happened before it, and render its block."""
    profile = engine.profile_for(history, activity)
    analysis = engine.analyse(activity, profile, voice=voice)
    return Judged(name, activity, analysis, engine.feedback(analysis, history, activity, voice))


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
    return [a for loaded in (read_recording(p, err) for p in paths) if loaded for a in loaded[0]]


def read_recording(path: Path, err: TextIO,
          whole_multisport: bool = False) -> tuple[list[Activity], Activity | None] | None:
    """The file's sessions and, for a multisport file when asked, the whole file."""
    try:
        data = path.read_bytes()
        sessions = parse_sessions(data, path.name)
        multisport = _is_multisport_event(sessions)
        return sessions, _whole(data, path, err) if multisport and whole_multisport else None
    except OSError as error:
        print(f"stridewise: {path}: cannot read: {error.strerror or error}", file=err)
    except ActivityFileError as error:
        print(f"stridewise: {path}: {error.reason}", file=err)
    return None


def _is_multisport_event(sessions: Sequence[Activity]) -> bool:
    """Legs of different endurance sports (a triathlon, a duathlon), each long enough.

    A ride then strength work is two sessions, not one event: each is judged alone.
    """
    legs = [s for s in sessions if s.elapsed_s >= MIN_LEG_S]
    return len({s.sport for s in legs}) > 1 and not any(is_strength(s.sport) for s in legs)


def _whole(data: bytes, path: Path, err: TextIO) -> Activity | None:
    """The multisport file as one activity; its legs are judged even when it cannot be."""
    try:
        return parse_activity(data, path.name)
    except ActivityFileError as error:
        print(f"stridewise: {path}: no whole-file line, its legs only: {error.reason}", file=err)
        return None


def _text(judged: Judged) -> str:
    c = judged.analysis.classification
    part = ("" if judged.sessions == 1
            else f" [whole file, {judged.sessions} sessions]" if judged.session == WHOLE_FILE
            else f" [session {judged.session} of {judged.sessions}]")
    head = (f"{judged.name}{part}: {judged.activity.sport} {c.workout.value} "
            f"(confidence {c.confidence:.2f}): {c.evidence}")
    return f"{head}\n{judged.block}\n\n"


def _json_line(judged: Judged) -> str:
    c, record = judged.analysis.classification, judged.analysis.record
    line: dict[str, Any] = {
        "file": judged.name,
        "session": judged.session,
        "sessions": judged.sessions,
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
