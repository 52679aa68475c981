"""Recordings read once per test run.

The same real files (a year of one athlete's runs, the labelled recordings) are read by many
test modules, and reading a GPX, TCX or FIT file costs far more than what most tests then
check. These read each file once per run, keyed by the hash of its bytes, its name and the way
it is read (a file rewritten during a run is read again): in memory within a test process, and
on disk for the run's other processes (pytest-xdist), in the folder that
:data:`SHARED_ENV` names (tests/conftest.py makes one per run). The arrays of what they return
are read-only: a test that changed them would change them for every test after it.

Decoding a file's format (fitdecode, gpxpy, ElementTree) is nearly all the cost of reading it,
and a file read raw is read by session too (and the other way round): the first of the two
asked decodes the file once and keeps both.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest

from analysis import parsers
from analysis.model import Activity
from analysis.parsers import fit, gpx, parse_sessions, tcx
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


def _parse_sessions(data: bytes, name: str) -> tuple[Activity, ...]:
    return tuple(parse_sessions(data, name))


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
    return list(_read_once("sessions", _parse_sessions, data, name))


def read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let worker.analyze (`stridewise analyze`, the benches that judge files through it) read
    each file through the parsers as ever, and each file once per run: the same recordings are
    read by tests here and in tests/analysis."""
    monkeypatch.setattr("worker.analyze.parse_activity", parsed_activity)
    monkeypatch.setattr("worker.analyze.parse_sessions", parsed_sessions)


#: What was read in this process, by the way it was read, the file's hash and its name.
_READ: dict[tuple[str, str, str], object] = {}
#: The ways of reading a file that decode it alike: the first asked reads the other too.
_DECODED_ALIKE: dict[str, Callable[[bytes, str], object]] = {
    "raw": _parse_raw, "sessions": _parse_sessions}
#: The format modules whose ``_read(data, name)`` decodes a file for both ways of reading it.
_DECODERS = (fit, gpx, tcx)


def _read_once(how: str, read: Callable[[bytes, str], T], data: bytes, name: str) -> T:
    """``read(data, name)``, or what it gave before in this run. A file that cannot be read
    raises its ActivityFileError each time (errors are not kept)."""
    key = (how, hashlib.sha256(data).hexdigest(), name)
    if key not in _READ:
        with _turn(key):
            _READ[key] = _frozen(_shared(key, lambda: _read_alike(how, read, data, name)))
    return _READ[key]  # type: ignore[return-value]


@contextmanager
def _turn(key: tuple[str, str, str]) -> Iterator[None]:
    """Within it, no other process of the run reads the file this way (nor, for the ways in
    :data:`_DECODED_ALIKE`, in any of those): a process that asks for a file another is reading
    waits for what it keeps rather than decode the file a second time."""
    how, digest, name = key
    path = _path(("decoding" if how in _DECODED_ALIKE else how, digest, name))
    if path is None:
        yield
        return
    with path.with_suffix(".lock").open("ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_alike(how: str, read: Callable[[bytes, str], T], data: bytes, name: str) -> T:
    """``read(data, name)``; for a way of reading in :data:`_DECODED_ALIKE`, the others are
    read from the same decoding and kept for the run (those that fail are not kept)."""
    if how not in _DECODED_ALIKE:
        return read(data, name)
    digest = hashlib.sha256(data).hexdigest()
    with _decoding_once():
        value = read(data, name)
        for other, read_other in _DECODED_ALIKE.items():
            key = (other, digest, name)
            if other == how or key in _READ or _is_kept(key):
                continue
            with suppress(parsers.ActivityFileError):
                _READ[key] = _frozen(_keep(key, read_other(data, name)))
    return value


@contextmanager
def _decoding_once() -> Iterator[None]:
    """Within it, each format module decodes given bytes once; every parse of them gets a
    copy of its own of what was decoded (a parser may change what it is handed)."""
    decoded: dict[tuple[str, bytes, str], bytes] = {}
    readers = {module: module._read for module in _DECODERS}

    def once(module: object, decode: Callable[[bytes, str], object]) -> Callable[..., object]:
        def read(data: bytes, name: str) -> object:
            key = (getattr(module, "__name__", ""), data, name)
            if key not in decoded:
                decoded[key] = pickle.dumps(decode(data, name), protocol=pickle.HIGHEST_PROTOCOL)
            return pickle.loads(decoded[key])
        return read

    for module, decode in readers.items():
        module._read = once(module, decode)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module, decode in readers.items():
            module._read = decode  # type: ignore[attr-defined]


def _shared(key: tuple[str, str, str], read: Callable[[], T]) -> T:
    """What another process of this run read and kept, else ``read()``, kept for them."""
    kept = _kept(key)
    if kept is not None:
        return kept  # type: ignore[no-any-return]
    return _keep(key, read())


def _path(key: tuple[str, str, str]) -> Path | None:
    """Where the run's processes keep what was read this way; None outside a run's folder."""
    folder = os.environ.get(SHARED_ENV)
    if not folder:
        return None
    how, digest, name = key
    return Path(folder) / f"{how}-{hashlib.sha256(f'{digest}/{name}'.encode()).hexdigest()}.pickle"


def _is_kept(key: tuple[str, str, str]) -> bool:
    path = _path(key)
    return path is not None and path.is_file()


def _kept(key: tuple[str, str, str]) -> object | None:
    """What a process of this run read this way and kept, or None."""
    path = _path(key)
    if path is None or not path.is_file():
        return None
    with path.open("rb") as handle:
        return pickle.load(handle)


def _keep(key: tuple[str, str, str], value: T) -> T:
    """``value``, kept for the run's other processes."""
    path = _path(key)
    if path is None:
        return value
    # Written whole under another name, then renamed: another process reads all or nothing.
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".part") as handle:
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
