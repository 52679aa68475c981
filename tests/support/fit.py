"""FIT files assembled in a test: header, definitions, data and CRC (FIT SDK, "FIT File
Types"), from messages of a few kinds with their values in FIT's units."""

from __future__ import annotations

import struct
from datetime import UTC, datetime

from fitdecode.utils import compute_crc  # type: ignore[import-untyped]

#: Seconds between the FIT epoch (1989-12-31) and the Unix epoch.
FIT_EPOCH = 631065600


FIELDS = {  # global message number, then (field number, base type, FIT scale)
    "file_id": (0, {"type": (0, 0x00, 1)}),
    "session": (18, {"start_time": (2, 0x86, 1), "sport": (5, 0x00, 1), "sub_sport": (6, 0x00, 1),
                     "total_elapsed_time": (7, 0x86, 1000), "total_timer_time": (8, 0x86, 1000),
                     "total_distance": (9, 0x86, 100), "avg_heart_rate": (16, 0x02, 1)}),
    "record": (20, {"timestamp": (253, 0x86, 1), "distance": (5, 0x86, 100),
                    "heart_rate": (3, 0x02, 1)}),
}
FORMATS = {0x00: "B", 0x02: "B", 0x86: "I"}


def fit_file(messages: list[tuple[str, dict[str, float]]]) -> bytes:
    body = b""
    for local, (kind, values) in enumerate(messages):
        number, fields = FIELDS[kind]
        names = list(values)
        body += struct.pack("<BBBHB", 0x40 | (local % 16), 0, 0, number, len(names))
        body += b"".join(struct.pack("<BBB", fields[n][0], struct.calcsize(FORMATS[fields[n][1]]),
                                     fields[n][1]) for n in names)
        body += bytes([local % 16]) + b"".join(
            struct.pack("<" + FORMATS[fields[n][1]], round(values[n] * fields[n][2]))
            for n in names)
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", compute_crc(header))
    return header + body + struct.pack("<H", compute_crc(header + body))


START = datetime(2024, 3, 1, 8, tzinfo=UTC)
FIT_START = START.timestamp() - FIT_EPOCH
