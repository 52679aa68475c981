"""/metrics is for operators: a bearer token when one is set, else loopback clients only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.worker.conftest import make_settings
from worker.runtime import Runtime
from worker.web import create_app

TOKEN = "operators-only-0123456789"
METRIC = "stridewise_webhook_events_total"


@pytest.fixture
def tokened(tmp_path: Path, migrated_database_url: str, redis_url: str) -> Iterator[Runtime]:
    rt = Runtime(make_settings(tmp_path, migrated_database_url, redis_url,
                               STRIDEWISE_METRICS_TOKEN=TOKEN))
    yield rt
    rt.db.dispose()


def client_at(rt: Runtime, host: str) -> TestClient:
    return TestClient(create_app(rt), base_url=rt.settings.public_url, client=(host, 40000))


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_without_a_token_metrics_answer_a_loopback_client(runtime: Runtime, host: str) -> None:
    answer = client_at(runtime, host).get("/metrics")
    assert answer.status_code == 200 and METRIC in answer.text


@pytest.mark.parametrize("host", ["203.0.113.9", "10.0.0.4", "testclient", "::ffff:8.8.8.8"])
def test_without_a_token_metrics_refuse_every_other_client(runtime: Runtime, host: str) -> None:
    answer = client_at(runtime, host).get("/metrics")
    assert answer.status_code == 403
    assert METRIC not in answer.text and "STRIDEWISE_METRICS_TOKEN" in answer.text


def test_a_forwarded_client_behind_a_loopback_proxy_is_not_loopback(runtime: Runtime) -> None:
    """uvicorn's proxy headers make the forwarded client the request's client; the app sees
    the client the proxy names, so a public request through a local proxy is refused."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    app = ProxyHeadersMiddleware(create_app(runtime), trusted_hosts="127.0.0.1")
    with TestClient(app, base_url=runtime.settings.public_url,
                    client=("127.0.0.1", 40000)) as client:
        assert client.get("/metrics", headers={"x-forwarded-for": "198.51.100.7"}
                          ).status_code == 403
        assert client.get("/metrics").status_code == 200


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token-0123456789",
                                           f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "])
def test_with_a_token_metrics_refuse_any_other_credentials_even_from_loopback(
    tokened: Runtime, authorization: str | None,
) -> None:
    headers = {"authorization": authorization} if authorization is not None else {}
    answer = client_at(tokened, "127.0.0.1").get("/metrics", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer" and METRIC not in answer.text


def test_with_a_token_metrics_answer_its_bearer_from_anywhere(tokened: Runtime) -> None:
    answer = client_at(tokened, "203.0.113.9").get(
        "/metrics", headers={"authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200 and METRIC in answer.text


def test_with_redis_down_metrics_say_so_with_a_503(
    tmp_path: Path, migrated_database_url: str,
) -> None:
    rt = Runtime(make_settings(tmp_path, migrated_database_url, "redis://127.0.0.1:9/0"))
    try:
        answer = client_at(rt, "127.0.0.1").get("/metrics")
        assert answer.status_code == 503 and "(Redis)" in answer.text
    finally:
        rt.db.dispose()
