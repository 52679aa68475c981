"""Structured JSON logs, one object a line, with athlete, activity and event ids when known.

Tokens and secrets never reach a log: nothing of ours logs them, and the HTTP libraries that
could print URLs with credentials (urllib3's debug output) are kept at WARNING.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

#: Fields of a record's ``extra`` that are copied into the JSON line.
CONTEXT_FIELDS = ("athlete_id", "activity_id", "event_id", "queue", "status")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in CONTEXT_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr at ``level`` (the settings' LOG_LEVEL); idempotent."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("urllib3", "httpx", "httpcore", "stravalib", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
