"""What a live stack keeps of an athlete's activities: the traces of each (ids and names, the
numbers Strava gave, our labels), and every cell of the database still holding one of them."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from tests.reliability.harness import LiveStack
from worker.models import Activity

#: Fields of a Strava activity whose values must not outlive the horizon.
NUMBERS = ("distance", "moving_time", "elapsed_time", "average_heartrate", "max_heartrate",
           "total_elevation_gain", "average_speed")


def traces(live: LiveStack, ids: list[int]) -> tuple[set[str], set[float], set[str]]:
    """The ids and names, the numbers and our labels of ``ids``, to look for in the database."""
    words: set[str] = set()
    numbers: set[float] = set()
    for activity_id in ids:
        detail: dict[str, Any] = live.http.get(f"/_sandbox/activities/{activity_id}").json()
        words |= {str(activity_id), str(detail.get("name") or "")} - {""}
        numbers |= {float(detail[k]) for k in NUMBERS if isinstance(detail.get(k), int | float)
                    and float(detail[k]) not in (0.0, 1.0)}
    with live.db.session() as session:
        labels = set(session.scalars(select(Activity.workout)
                                     .where(Activity.id.in_(ids))).all())
    return words, numbers, labels


def leftovers(live: LiveStack, words: set[str], numbers: set[float],
              labels: set[str]) -> list[str]:
    """Every cell of every table that still holds one of those traces."""
    pattern = re.compile("|".join(rf"\b{re.escape(w)}\b" for w in words))
    ids = {float(w) for w in words if w.isdigit()}

    def holds(value: object) -> bool:
        if isinstance(value, bool) or value is None:
            return False
        if isinstance(value, int | float):
            return float(value) in numbers | ids
        return isinstance(value, str) and (bool(pattern.search(value)) or value in labels)

    return [f"{table}.{column}={value!r}" for table, rows in live.dump().items()
            for row in rows for column, value in row.items() if holds(value)]
