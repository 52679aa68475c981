"""What the sandbox saw: requests by endpoint, status and activity, and webhook deliveries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Stats:
    requests: int = 0
    by_endpoint: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    by_activity: Counter[str] = field(default_factory=Counter)
    rate_limited: int = 0
    webhooks_sent: int = 0
    webhooks_delivered: int = 0
    webhooks_failed: int = 0
    attempts: list[dict[str, Any]] = field(default_factory=list)

    def record_request(self, endpoint: str, status: int, activity_id: str | None) -> None:
        self.requests += 1
        self.by_endpoint[endpoint] += 1
        self.by_status[str(status)] += 1
        if activity_id is not None:
            self.by_activity[activity_id] += 1
        if status == 429:
            self.rate_limited += 1

    def record_attempt(self, event: dict[str, Any], attempt: int, status: int | None,
                       latency_ms: float, error: str | None) -> None:
        self.attempts.append({
            "object_type": event["object_type"],
            "object_id": event["object_id"],
            "aspect_type": event["aspect_type"],
            "attempt": attempt,
            "status": status,
            "latency_ms": round(latency_ms, 1),
            "error": error,
        })

    def as_json(self, usage: dict[str, Any]) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_endpoint": dict(self.by_endpoint),
            "by_status": dict(self.by_status),
            "by_activity": dict(self.by_activity),
            "rate_limited": self.rate_limited,
            "usage": usage,
            "webhooks": {
                "sent": self.webhooks_sent,
                "delivered": self.webhooks_delivered,
                "failed": self.webhooks_failed,
                "attempts": list(self.attempts),
            },
        }
