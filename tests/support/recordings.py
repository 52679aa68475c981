"""Recordings read once per test process.

The same real files (a year of one athlete's runs, the labelled recordings) are read by many
test modules, and reading a GPX, TCX or FIT file costs far more than what most tests then
check. These read each file once per process, keyed by the hash of its bytes and its name
(a file rewritten during a run is read again). The arrays of what they return are read-only:
a test that changed them would change them for every test after it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np

from analysis import parsers
from analysis.model import Activity
from analysis.parsers import parse_activity, parse_sessions

#: The recordings the repository carries.
DATA = Path(__file__).resolve().parents[1] / "data"
#: Formats the parsers read.
SUFFIXES = (".fit", ".gpx", ".tcx", ".gpx.gz", ".tcx.gz", ".fit.gz")


def files() -> list[Path]:
    """Every recording under tests/data, damaged ones (tests/data/bad) included."""
    return sorted(p for p in DATA.rglob("*") if p.is_file() and p.name.lower().endswith(SUFFIXES))


def raw(path: Path) -> Activity:
    """The recording as its parser reads it, before anything is left out."""
    data, kind = parsers._content(path.read_bytes(), path.name)
    return parsers._PARSERS[kind](data, path.name)


def activity(path: Path) -> Activity:
    """``parse_activity`` of the file at ``path``."""
    return parsed_activity(path.read_bytes(), path.name)


def sessions(path: Path) -> tuple[Activity, ...]:
    """``parse_sessions`` of the file at ``path``."""
    return tuple(parsed_sessions(path.read_bytes(), path.name))


def parsed_activity(data: bytes, name: str) -> Activity:
    """``parse_activity(data, name)``, read once per process: what the worker's ``analyze``
    reads through, in the tests of the command."""
    key = (hashlib.sha256(data).hexdigest(), name)
    if key not in _ACTIVITIES:
        _ACTIVITIES[key] = _frozen(parse_activity(data, name))
    return _ACTIVITIES[key]


def parsed_sessions(data: bytes, name: str) -> list[Activity]:
    """``parse_sessions(data, name)``, read once per process; a list of its own per call."""
    key = (hashlib.sha256(data).hexdigest(), name)
    if key not in _SESSIONS:
        _SESSIONS[key] = tuple(_frozen(a) for a in parse_sessions(data, name))
    return list(_SESSIONS[key])


#: What was read, by the hash of the file's bytes and its name.
_ACTIVITIES: dict[tuple[str, str], Activity] = {}
_SESSIONS: dict[tuple[str, str], tuple[Activity, ...]] = {}


def _frozen(activity: Activity) -> Activity:
    if activity.streams is not None:
        for field in dataclasses.fields(activity.streams):
            value = getattr(activity.streams, field.name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
    return activity
