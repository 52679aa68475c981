"""Activity files (FIT, GPX, TCX, Strava JSON; optionally gzipped) to :class:`Activity`.

Every parser takes bytes and a file name, reads nothing itself, and raises
:class:`ActivityFileError` (one line: the file and the problem) on bad input.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable

from analysis.model import Activity
from analysis.parsers.bundle import parse_bundle
from analysis.parsers.errors import ActivityFileError
from analysis.parsers.fit import parse_fit, parse_fit_sessions
from analysis.parsers.gpx import parse_gpx, parse_gpx_sessions
from analysis.parsers.tcx import parse_tcx, parse_tcx_sessions
from analysis.plausibility import without_vehicle_stretches

__all__ = ["ActivityFileError", "parse_activity", "parse_sessions"]

#: Largest decompressed size accepted from a .gz file: a 48 h FIT recording with
#: every sensor is about 20 MB, so this leaves room and stops a zip bomb.
MAX_DECOMPRESSED_BYTES = 200 * 1024 * 1024
#: How far into a file of unknown type to look for a GPX or TCX root element.
SNIFF_BYTES = 4096
#: gzip's magic number (RFC 1952).
GZIP_MAGIC = b"\x1f\x8b"
#: The UTF-8 byte order mark some exporters write before an XML file's declaration.
UTF8_BOM = b"\xef\xbb\xbf"
#: Formats read by an XML parser, which refuses anything before the declaration (an
#: exporter that indents its first line: tests/data/sample.tcx of drewrelmas/runv).
XML_KINDS = frozenset({".gpx", ".tcx"})


def parse_activity(data: bytes, name: str) -> Activity:
    """Read one activity file, its format chosen by suffix (or content when unknown).

    Parameters
    ----------
    data:
        The file's bytes.
    name:
        The file's name: ``.fit``, ``.gpx``, ``.tcx`` or ``.json``, each optionally
        followed by ``.gz``. Errors name the file by it.

    Raises
    ------
    ActivityFileError
        For anything that cannot be read as an activity.
    """
    data, kind = _content(data, name)
    return without_vehicle_stretches(_PARSERS[kind](data, name))


def parse_sessions(data: bytes, name: str) -> list[Activity]:
    """Read each session of one activity file, oldest first.

    A file may hold several: the legs of a triathlon (FIT sessions), a ride then
    strength work, runs on different days in one TCX, two outings in one GPX track
    (a break of ``summary.SESSION_GAP_S`` or more between them). A file of one
    session gives ``[parse_activity(data, name)]``.

    Raises
    ------
    ActivityFileError
        As :func:`parse_activity`.
    """
    data, kind = _content(data, name)
    return sorted((without_vehicle_stretches(a) for a in _SESSION_PARSERS[kind](data, name)),
                  key=lambda a: a.start)


def _content(data: bytes, name: str) -> tuple[bytes, str]:
    """The file's bytes, decompressed, and its format's suffix."""
    if not data:
        raise ActivityFileError(name, "file is empty")
    inner = name[:-3] if name.lower().endswith(".gz") else name
    if inner != name or data.startswith(GZIP_MAGIC):
        data = _gunzip(data, name)
        if not data:
            raise ActivityFileError(name, "file is empty once decompressed")
    kind = _suffix(inner)
    kind = kind if kind in _PARSERS else _sniff(data, name)
    return (data.removeprefix(UTF8_BOM).lstrip() if kind in XML_KINDS else data), kind


def _parse_json(data: bytes, name: str) -> Activity:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as err:
        raise ActivityFileError(name, f"not valid JSON ({err})") from err
    return parse_bundle(doc, name=name)


_PARSERS: dict[str, Callable[[bytes, str], Activity]] = {
    ".fit": parse_fit, ".gpx": parse_gpx, ".tcx": parse_tcx, ".json": _parse_json,
}
_SESSION_PARSERS: dict[str, Callable[[bytes, str], list[Activity]]] = {
    ".fit": parse_fit_sessions, ".gpx": parse_gpx_sessions, ".tcx": parse_tcx_sessions,
    ".json": lambda data, name: [_parse_json(data, name)],
}


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def _sniff(data: bytes, name: str) -> str:
    head = data[:SNIFF_BYTES]
    if head[8:12] == b".FIT":
        return ".fit"
    if head.lstrip()[:1] in (b"{", b"["):
        return ".json"
    if b"<TrainingCenterDatabase" in head:
        return ".tcx"
    if b"<gpx" in head:
        return ".gpx"
    raise ActivityFileError(name, "not a FIT, GPX, TCX or Strava JSON file")


def _gunzip(data: bytes, name: str) -> bytes:
    """Decompress every gzip member, refusing output beyond MAX_DECOMPRESSED_BYTES."""
    out = bytearray()
    rest = data
    try:
        while rest:
            member = zlib.decompressobj(wbits=31)
            out += member.decompress(rest, MAX_DECOMPRESSED_BYTES + 1 - len(out))
            if len(out) > MAX_DECOMPRESSED_BYTES or member.unconsumed_tail:
                raise ActivityFileError(name, "decompresses to more than "
                                        f"{MAX_DECOMPRESSED_BYTES // 2**20} MB")
            if not member.eof:
                raise ActivityFileError(name, "gzip data ends early (truncated file)")
            rest = member.unused_data
    except zlib.error as err:
        raise ActivityFileError(name, f"not valid gzip data ({err})") from err
    return bytes(out)
