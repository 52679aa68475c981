"""The web process's limits on slow clients, on a real uvicorn server over loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support import http
from worker.devstack import free_port
from worker.web import limits
from worker.web.limits import server_config

#: Long enough for any deadline of worker.web.limits to pass; not a speed requirement.
PATIENCE_S = 20.0
#: The deadlines of the server that the tests of the deadlines themselves wait out: shorter
#: than worker.web.limits's (2 s for a request, 5 s more for an idle kept-alive connection),
#: still far longer than loopback takes to deliver what a test sends at once.
READ_DEADLINE_S = 1.0
KEEP_ALIVE_S = 1


async def echo(request: Request) -> JSONResponse:
    return JSONResponse({"bytes": len(await request.body())})


async def client_address(request: Request) -> JSONResponse:
    return JSONResponse({"client": request.client.host if request.client else None})


@contextmanager
def serving(*forwarded_allow_ips: str) -> Iterator[tuple[str, int]]:
    port = free_port()
    app = Starlette(routes=[Route("/echo", echo, methods=["POST"]),
                            Route("/client", client_address, methods=["GET"])])
    config = server_config(app, "127.0.0.1", port, *forwarded_allow_ips)
    assert isinstance(config.app, limits.BodyDeadline)
    config.app.deadline_s = limits.READ_DEADLINE_S  # as limits has it now (see `impatient`)
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + PATIENCE_S
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield "127.0.0.1", port
    finally:
        running.should_exit = True
        thread.join(timeout=PATIENCE_S)


@pytest.fixture
def server() -> Iterator[tuple[str, int]]:
    with serving() as address:
        yield address


@pytest.fixture
def impatient(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, int]]:
    """A server whose deadlines are this module's READ_DEADLINE_S and KEEP_ALIVE_S: the same
    protocol and middleware, for the tests that wait for a deadline to pass."""
    monkeypatch.setattr(limits, "READ_DEADLINE_S", READ_DEADLINE_S)
    monkeypatch.setattr(limits, "KEEP_ALIVE_S", KEEP_ALIVE_S)
    with serving() as address:
        yield address


def dripping(address: tuple[str, int], start: bytes) -> socket.socket:
    sock = socket.create_connection(address)
    sock.settimeout(PATIENCE_S)
    sock.sendall(start)
    return sock


def rest_of(sock: socket.socket) -> bytes:
    """Whatever the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(4096):
        received += chunk
    return received


def test_a_client_that_never_finishes_its_headers_is_cut_off(
    impatient: tuple[str, int],
) -> None:
    with dripping(impatient, b"POST /echo HTTP/1.1\r\nHost: x\r\n") as sock:
        assert rest_of(sock) == b""


def test_a_client_that_never_finishes_its_body_gets_408_and_is_cut_off(
    impatient: tuple[str, int],
) -> None:
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\""
    with dripping(impatient, head) as sock:
        assert rest_of(sock).startswith(b"HTTP/1.1 408")


def test_an_idle_kept_alive_connection_is_closed(impatient: tuple[str, int]) -> None:
    request = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
    with dripping(impatient, request) as sock:
        first = sock.recv(4096)
        assert first.startswith(b"HTTP/1.1 200")
        sock.sendall(b"POST /echo HTTP/1.1\r\n")  # a second request that never ends
        assert rest_of(sock) == b""


def test_real_requests_are_answered_while_slow_clients_hold_connections(
    server: tuple[str, int],
) -> None:
    slow = [dripping(server, b"POST /echo HTTP/1.1\r\n") for _ in range(100)]
    try:
        answer = http.post(f"http://{server[0]}:{server[1]}/echo", json={"a": 1},
                           timeout=PATIENCE_S)
        assert answer.json() == {"bytes": len(b'{"a":1}')}
    finally:
        for sock in slow:
            sock.close()


def test_a_body_larger_than_the_limit_is_refused_with_413(server: tuple[str, int]) -> None:
    answer = http.post(f"http://{server[0]}:{server[1]}/echo", content=b"x" * 70_000,
                       timeout=PATIENCE_S)
    assert answer.status_code == 413


def test_by_default_a_proxy_on_the_same_host_names_the_client_and_others_cannot() -> None:
    forwarded = {"x-forwarded-for": "198.51.100.7"}
    with serving() as (host, port):
        seen = http.get(f"http://{host}:{port}/client", headers=forwarded).json()
    assert seen == {"client": "198.51.100.7"}
    with serving("10.0.0.0/8") as (host, port):  # a proxy elsewhere: loopback is not it
        seen = http.get(f"http://{host}:{port}/client", headers=forwarded).json()
    assert seen == {"client": "127.0.0.1"}
