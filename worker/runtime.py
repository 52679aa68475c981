"""The long-lived objects of one process, built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import dramatiq
import redis

from worker.budget import Budget
from worker.config import Settings
from worker.db import Database
from worker.inbox import Inbox
from worker.jobs import Jobs
from worker.metrics import WorkerCounters
from worker.queue import make_broker, redis_client
from worker.strava import Gateway, make_session
from worker.tokens import StoredToken, StravaSession, TokenCipher, Tokens


@dataclass
class Runtime:
    """Settings plus the database, inbox, stranded jobs, Redis, broker, budget, gateway and
    tokens built from them."""

    settings: Settings

    @cached_property
    def db(self) -> Database:
        return Database(self.settings.database_url)

    @cached_property
    def inbox(self) -> Inbox:
        return Inbox(self.db, self.settings.lease_s)

    @cached_property
    def jobs(self) -> Jobs:
        return Jobs(self.db)

    @cached_property
    def redis(self) -> redis.Redis:
        return redis_client(self.settings)

    @cached_property
    def broker(self) -> dramatiq.Broker:
        return make_broker(self.redis)

    @cached_property
    def budget(self) -> Budget:
        return Budget(self.redis, self.settings.rate_limits, self.settings.rate_windows)

    @cached_property
    def counters(self) -> WorkerCounters:
        return WorkerCounters(self.redis)

    @cached_property
    def gateway(self) -> Gateway:
        s = self.settings
        session = make_session(s.strava_base_url, on_response=self.counters.strava_response,
                               read_timeout_s=s.read_timeout_s)
        return Gateway(s.strava_base_url, s.client_id, s.client_secret, budget=self.budget,
                       session=session)

    @cached_property
    def cipher(self) -> TokenCipher:
        return TokenCipher(self.settings.token_keys)

    @cached_property
    def tokens(self) -> Tokens:
        return Tokens(self.db, self.cipher, self.gateway, self.redis)

    def strava(self, athlete_id: int, priority: str,
               stored: StoredToken | None = None) -> StravaSession:
        """Strava as the athlete, for work of budget class ``priority`` (see
        :class:`worker.tokens.StravaSession`)."""
        return self.tokens.session(athlete_id, priority, self.budget, stored)
