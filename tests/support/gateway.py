"""The Strava gateway with no live server behind it: a transport that answers as Strava would,
the address it stands at, and a budget that records what the gateway tells it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from worker.strava import Gateway, make_session

BASE_URL = "http://strava.test"


#: What the fake Strava answers: a status and a JSON body, or an exception to raise.
Answer = tuple[int, Any] | type[Exception]


class FakeStrava(BaseAdapter):
    """Answers each request with the next of ``answers`` (the last one repeats)."""

    def __init__(self, *answers: Answer, headers: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.answers = list(answers)
        self.headers = dict(headers or {})
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, stream: bool = False,  # type: ignore[override]
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        self.sent.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, type):
            raise answer("the fake Strava refuses the connection")
        status, body = answer
        response = requests.Response()
        response.status_code = status
        response.reason = requests.status_codes._codes[status][0].upper()  # type: ignore[attr-defined]
        response._content = json.dumps(body).encode()
        response.headers = CaseInsensitiveDict({"content-type": "application/json",
                                                **self.headers})
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


@dataclass
class RecordingBudget:
    """The gateway's view of the budget, recording what it is told."""

    acquired: list[str] = field(default_factory=list)
    athletes: list[int | None] = field(default_factory=list)
    observed: list[Mapping[str, str]] = field(default_factory=list)
    rate_limits: int = 0

    def acquire(self, priority: str, count: int = 1, athlete_id: int | None = None) -> object:
        self.acquired.append(priority)
        self.athletes.append(athlete_id)
        return None

    def observe(self, headers: Mapping[str, str]) -> None:
        self.observed.append(headers)

    def rate_limited(self) -> None:
        self.rate_limits += 1


def gateway(strava: FakeStrava, budget: RecordingBudget | None = None) -> Gateway:
    return Gateway(BASE_URL, 1, "secret", budget=budget,
                   session=make_session(BASE_URL, inner=strava))
