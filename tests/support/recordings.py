"""Recordings read once per test run.

The same real files (a year of one athlete's runs, the labelled recordings) are read by many
test modules, and reading a GPX, TCX or FIT file costs far more than what most tests then
check. These read each file once per run, keyed by the hash of its bytes, its name and the way
it is read (a file rewritten during a run is read again): in memory within a test process, and
on disk for the run's other processes (pytest-xdist), in the folder that
:data:`SHARED_ENV` names (tests/conftest.py makes one per run). The arrays of what they return
are read-only: a test that changed them would change them for every test after it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from analysis import parsers
from analysis.model import Activity
from analysis.parsers import parse_sessions
from analysis.plausibility import without_vehicle_stretches

#: The recordings the repository carries.
DATA = Path(__file__).resolve().parents[1] / "data"
#: Formats the parsers read.
SUFFIXES = (".fit", ".gpx", ".tcx", ".gpx.gz", ".tcx.gz", ".fit.gz")
#: The environment variable naming the run's folder of recordings already read.
SHARED_ENV = "STRIDEWISE_TEST_RECORDINGS"

T = TypeVar("T")


def files() -> list[Path]:
    """Every recording under tests/data, damaged ones (tests/data/bad) included."""
    return sorted(p for p in DATA.rglob("*") if p.is_file() and p.name.lower().endswith(SUFFIXES))


def _parse_raw(data: bytes, name: str) -> Activity:
    content, kind = parsers._content(data, name)
    return parsers._PARSERS[kind](content, name)


def raw(path: Path) -> Activity:
    """The recording as its parser reads it, before anything is left out."""
    return _raw(path.read_bytes(), path.name)


def _raw(data: bytes, name: str) -> Activity:
    return _read_once("raw", _parse_raw, data, name)


def activity(path: Path) -> Activity:
    """``parse_activity`` of the file at ``path``."""
    return parsed_activity(path.read_bytes(), path.name)


def sessions(path: Path) -> tuple[Activity, ...]:
    """``parse_sessions`` of the file at ``path``."""
    return tuple(parsed_sessions(path.read_bytes(), path.name))


def parsed_activity(data: bytes, name: str) -> Activity:
    """``parse_activity(data, name)``, read once per run: what the worker's ``analyze``
    reads through, in the tests of the command. It is the raw recording with its stretches at
    a vehicle's speed left out, as parse_activity has it, from the raw recording read once
    (tests/analysis/test_parsers.py holds the two equal)."""
    return _read_once("activity", lambda d, n: without_vehicle_stretches(_raw(d, n)), data, name)


def parsed_sessions(data: bytes, name: str) -> list[Activity]:
    """``parse_sessions(data, name)``, read once per run; a list of its own per call."""
    return list(_read_once("sessions", lambda d, n: tuple(parse_sessions(d, n)), data, name))


#: What was read in this process, by the way it was read, the file's hash and its name.
_READ: dict[tuple[str, str, str], object] = {}


def _read_once(how: str, read: Callable[[bytes, str], T], data: bytes, name: str) -> T:
    """``read(data, name)``, or what it gave before in this run. A file that cannot be read
    raises its ActivityFileError each time (errors are not kept)."""
    key = (how, hashlib.sha256(data).hexdigest(), name)
    if key not in _READ:
        _READ[key] = _frozen(_shared(key, lambda: read(data, name)))
    return _READ[key]  # type: ignore[return-value]


def _shared(key: tuple[str, str, str], read: Callable[[], T]) -> T:
    """What another process of this run read and kept, else ``read()``, kept for them."""
    folder = os.environ.get(SHARED_ENV)
    if not folder:
        return read()
    how, digest, name = key
    path = Path(folder) / f"{how}-{hashlib.sha256(f'{digest}/{name}'.encode()).hexdigest()}.pickle"
    if path.is_file():
        with path.open("rb") as handle:
            kept: T = pickle.load(handle)
        return kept
    value = read()
    # Written whole under another name, then renamed: another process reads all or nothing.
    with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".part") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(handle.name, path)
    return value


def _frozen(value: T) -> T:
    for one in value if isinstance(value, tuple) else (value,):
        if isinstance(one, Activity) and one.streams is not None:
            for field in dataclasses.fields(one.streams):
                array = getattr(one.streams, field.name)
                if isinstance(array, np.ndarray):
                    array.flags.writeable = False
    return value
