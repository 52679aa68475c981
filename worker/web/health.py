"""Health of the web process's dependencies, its readiness, and its Prometheus metrics.

``/metrics`` is for operators only: with STRIDEWISE_METRICS_TOKEN set it asks for that bearer
token, otherwise it answers clients on the same host (loopback) and nobody else. Its figures
are operations, not athletes, but an outsider who forges events and watches their outcomes
would learn which athlete ids are connected.

``/healthz`` reports the database and Redis. ``/readyz`` is what a load balancer or a
Kubernetes probe asks: whether web can do its job, acknowledging events into the inbox, which
needs the database only. With Redis down web keeps acknowledging (the sweeper enqueues the
events later), so Redis must not take web out of service.
"""

from __future__ import annotations

import hmac
import ipaddress

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from worker.metrics import REGISTRY
from worker.runtime import Runtime
from worker.web.cluster import ClusterCollector


class HealthEndpoints:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.cluster = CollectorRegistry(auto_describe=False)
        self.cluster.register(ClusterCollector(rt))

    def routes(self) -> list[Route]:
        return [Route("/healthz", self.healthz, methods=["GET"]),
                Route("/readyz", self.readyz, methods=["GET"]),
                Route("/metrics", self.metrics, methods=["GET"])]

    async def healthz(self, request: Request) -> Response:
        checks = await run_in_threadpool(self._checks)
        healthy = all(v == "ok" for v in checks.values())
        return JSONResponse(checks, status_code=200 if healthy else 503)

    async def readyz(self, request: Request) -> Response:
        checks = {"database": await run_in_threadpool(self._database)}
        return JSONResponse(checks, status_code=200 if checks["database"] == "ok" else 503)

    def _database(self) -> str:
        try:
            with self.rt.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:
            return f"error: {type(error).__name__}"
        return "ok"

    def _checks(self) -> dict[str, str]:
        checks = {"database": self._database()}
        try:
            self.rt.redis.ping()
            checks["redis"] = "ok"
        except Exception as error:
            checks["redis"] = f"error: {type(error).__name__}"
        return checks

    async def metrics(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        cluster = await run_in_threadpool(generate_latest, self.cluster)
        return Response(generate_latest(REGISTRY) + cluster, media_type=CONTENT_TYPE_LATEST)

    def _refused(self, request: Request) -> Response | None:
        """401 without the right bearer token, when one is configured; else 403 from any
        client but loopback. None: the operator may read."""
        token = self.rt.settings.metrics_token
        if token is not None:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                                  token.encode()):
                return None
            return PlainTextResponse("/metrics needs Authorization: Bearer "
                                     "<STRIDEWISE_METRICS_TOKEN>", status_code=401,
                                     headers={"WWW-Authenticate": "Bearer"})
        if _loopback(request.client.host if request.client else None):
            return None
        return PlainTextResponse("/metrics answers clients on this host only; set "
                                 "STRIDEWISE_METRICS_TOKEN to scrape it from elsewhere",
                                 status_code=403)


def _loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name, not an address: not the loopback interface
        return False
