"""Liveness of the web process's dependencies, and its Prometheus metrics."""

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
                Route("/metrics", self.metrics, methods=["GET"])]

    async def healthz(self, request: Request) -> Response:
        checks = await run_in_threadpool(self._checks)
        healthy = all(v == "ok" for v in checks.values())
        return JSONResponse(checks, status_code=200 if healthy else 503)

    def _checks(self) -> dict[str, str]:
        checks = {}
        try:
            with self.rt.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as error:
            checks["database"] = f"error: {type(error).__name__}"
        try:
            self.rt.redis.ping()
            checks["redis"] = "ok"
        except Exception as error:
            checks["redis"] = f"error: {type(error).__name__}"
        return checks

    async def metrics(self, request: Request) -> Response:
        cluster = await run_in_threadpool(generate_latest, self.cluster)
        return Response(generate_latest(REGISTRY) + cluster, media_type=CONTENT_TYPE_LATEST)
