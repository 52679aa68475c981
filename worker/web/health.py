"""Health of the web process's dependencies, its readiness, and its Prometheus metrics.

``/healthz`` reports the database and Redis. ``/readyz`` is what a load balancer or a
Kubernetes probe asks: whether web can do its job, acknowledging events into the inbox, which
needs the database only. With Redis down web keeps acknowledging (the sweeper enqueues the
events later), so Redis must not take web out of service.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
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
        cluster = await run_in_threadpool(generate_latest, self.cluster)
        return Response(generate_latest(REGISTRY) + cluster, media_type=CONTENT_TYPE_LATEST)
