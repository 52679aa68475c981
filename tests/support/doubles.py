"""Stand-ins tests put in place of the outside world: a Strava that cannot be reached, and a
log handler that keeps what it is given."""

from __future__ import annotations

import logging
from typing import Any

import requests
import requests.adapters


class Unreachable(requests.adapters.BaseAdapter):
    """Strava cannot be reached."""

    def send(self, request: requests.PreparedRequest, *args: Any,
             **kwargs: Any) -> requests.Response:
        raise requests.ConnectionError("connection refused")

    def close(self) -> None:
        pass


class Records(logging.Handler):
    """Keeps the records of one logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
