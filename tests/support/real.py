"""The real recordings of tests/data/real (tests/data/README.md gives each file's source and
licence), by file name, each read once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from analysis.model import Activity
from tests.support import recordings

REAL = Path(__file__).resolve().parent.parent / "data" / "real"
RECORDINGS = sorted(p.name for p in REAL.iterdir()
                    if p.name.lower().removesuffix(".gz").endswith((".fit", ".gpx", ".tcx")))


@cache
def recording(name: str) -> Activity:
    return recordings.activity(REAL / name)
