"""The sandbox's in-memory Strava: athletes, activities, tokens and the push subscription.

Everything lives in one process and is lost on restart, as a sandbox should be. The
store is touched only from the event loop, so it needs no locks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from worker.sandbox.tracks import JsonStreams

#: First activity id handed out; above 2**32 like Strava's, so 32-bit ids break here too.
FIRST_ACTIVITY_ID = 12_000_000_001
#: First push subscription id.
FIRST_SUBSCRIPTION_ID = 270_001
#: Demo athletes' names, picked by id so a given athlete always has the same one.
FIRST_NAMES = ("Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabi", "Heitor")


@dataclass
class Athlete:
    id: int
    created_at: float
    authorized: bool = False

    def summary(self) -> dict[str, Any]:
        """SummaryAthlete, as the token exchange returns it."""
        created = datetime.fromtimestamp(self.created_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "id": self.id,
            "username": f"sandbox{self.id}",
            "resource_state": 2,
            "firstname": FIRST_NAMES[self.id % len(FIRST_NAMES)],
            "lastname": "Sandbox",
            "city": "São Paulo",
            "state": "SP",
            "country": "Brazil",
            "sex": "F" if self.id % 2 else "M",
            "premium": False,
            "summit": False,
            "created_at": created,
            "updated_at": created,
            "badge_type_id": 0,
            "weight": 64.0,
            "profile_medium": "avatar/athlete/medium.png",
            "profile": "avatar/athlete/large.png",
            "friend": None,
            "follower": None,
        }

    def detailed(self) -> dict[str, Any]:
        """DetailedAthlete, as GET /athlete returns it."""
        return {
            **self.summary(),
            "resource_state": 3,
            "follower_count": 0,
            "friend_count": 0,
            "measurement_preference": "meters",
            "ftp": None,
            "clubs": [],
            "bikes": [],
            "shoes": [],
        }


@dataclass
class StoredActivity:
    id: int
    athlete_id: int
    detail: dict[str, Any]  # the DetailedActivity, edited in place by PUTs
    streams: JsonStreams
    created_at: float  # sandbox clock, for the not-found-after-create fault

    @property
    def private(self) -> bool:
        return bool(self.detail.get("private"))

    @property
    def start_epoch(self) -> float:
        start = datetime.strptime(self.detail["start_date"], "%Y-%m-%dT%H:%M:%SZ")
        return start.replace(tzinfo=UTC).timestamp()


@dataclass(frozen=True)
class Grant:
    """What a token (or an authorization code) lets its holder do, and until when."""

    athlete_id: int
    scopes: frozenset[str]
    expires_at: int


@dataclass(frozen=True)
class Subscription:
    id: int
    callback_url: str
    created_at: float

    def as_json(self, application_id: int) -> dict[str, Any]:
        stamp = datetime.fromtimestamp(self.created_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "id": self.id,
            "resource_state": 2,
            "application_id": application_id,
            "callback_url": self.callback_url,
            "created_at": stamp,
            "updated_at": stamp,
        }


@dataclass
class Store:
    athletes: dict[int, Athlete] = field(default_factory=dict)
    activities: dict[int, StoredActivity] = field(default_factory=dict)
    access_tokens: dict[str, Grant] = field(default_factory=dict)
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)
    codes: dict[str, Grant] = field(default_factory=dict)
    #: Lifetimes of the access tokens issued to some athletes from now on, in place of the
    #: sandbox's own (set through the control API).
    token_ttls: dict[int, int] = field(default_factory=dict)
    subscription: Subscription | None = None
    _activity_ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(FIRST_ACTIVITY_ID))
    _subscription_ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(FIRST_SUBSCRIPTION_ID))

    def athlete(self, athlete_id: int, now: float) -> Athlete:
        """The athlete with this id, created on first use."""
        if athlete_id not in self.athletes:
            self.athletes[athlete_id] = Athlete(athlete_id, created_at=now)
        return self.athletes[athlete_id]

    def next_activity_id(self) -> int:
        return next(self._activity_ids)

    def next_subscription_id(self) -> int:
        return next(self._subscription_ids)

    def add(self, activity: StoredActivity) -> None:
        self.activities[activity.id] = activity

    def activities_of(self, athlete_id: int) -> list[StoredActivity]:
        """The athlete's activities, newest first (by start time, then id)."""
        mine = [a for a in self.activities.values() if a.athlete_id == athlete_id]
        return sorted(mine, key=lambda a: (a.start_epoch, a.id), reverse=True)

    def revoke(self, athlete_id: int) -> None:
        """Withdraw every token of the athlete, as a deauthorization does."""
        self.access_tokens = {
            t: g for t, g in self.access_tokens.items() if g.athlete_id != athlete_id}
        for token, grant in list(self.refresh_tokens.items()):
            if grant.athlete_id == athlete_id:
                del self.refresh_tokens[token]
        self.codes = {c: g for c, g in self.codes.items() if g.athlete_id != athlete_id}
        if athlete_id in self.athletes:
            self.athletes[athlete_id].authorized = False
