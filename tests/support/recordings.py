"""Recordings read once per test process.

The same real files (a year of one athlete's runs, the labelled recordings) are read by many
test modules, and reading a GPX, TCX or FIT file costs far more than what most tests then
check. These read each file once per process, keyed by its path and the hash of its bytes (a
file rewritten during a run is read again). The arrays of what they return are read-only:
a test that changed them would change them for every test after it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from functools import cache
from pathlib import Path

import numpy as np

from analysis.model import Activity
from analysis.parsers import parse_activity, parse_sessions


def activity(path: Path) -> Activity:
    """``parse_activity`` of the file at ``path``."""
    return _activity(*_key(path))


def sessions(path: Path) -> tuple[Activity, ...]:
    """``parse_sessions`` of the file at ``path``."""
    return _sessions(*_key(path))


def _key(path: Path) -> tuple[Path, str]:
    return path.absolute(), hashlib.sha256(path.read_bytes()).hexdigest()


@cache
def _activity(path: Path, digest: str) -> Activity:
    return _frozen(parse_activity(path.read_bytes(), path.name))


@cache
def _sessions(path: Path, digest: str) -> tuple[Activity, ...]:
    return tuple(_frozen(a) for a in parse_sessions(path.read_bytes(), path.name))


def _frozen(activity: Activity) -> Activity:
    if activity.streams is not None:
        for field in dataclasses.fields(activity.streams):
            value = getattr(activity.streams, field.name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
    return activity
