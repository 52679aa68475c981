"""The sandbox as a real server: uvicorn in a subprocess, a real receiver, stravalib's Client."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter
from stravalib import Client

from worker.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

REPO = Path(__file__).resolve().parents[3]
VERIFY_TOKEN = "verify-me"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Receiver(BaseHTTPRequestHandler):
    """Answers the handshake, refuses the first event delivery, records the rest."""

    events: list[dict[str, Any]] = []
    refused = 0

    def do_GET(self) -> None:  # noqa: N802
        query = parse_qs(urlsplit(self.path).query)
        if query.get("hub.verify_token") != [VERIFY_TOKEN]:
            self._reply(403, {})
            return
        self._reply(200, {"hub.challenge": query["hub.challenge"][0]})

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if Receiver.refused == 0:
            Receiver.refused += 1
            self._reply(503, {})
            return
        Receiver.events.append(body)
        self._reply(200, {})

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "SANDBOX_HISTORY_DAYS": "0",
           "SANDBOX_WEBHOOK_BACKOFF": "0.05"}
    process = subprocess.Popen(
        [sys.executable, "-m", "worker.sandbox", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                requests.get(f"{url}/_sandbox/stats", timeout=1)
                break
            except requests.ConnectionError:
                assert process.poll() is None, "the sandbox exited"
                assert time.monotonic() < deadline, "the sandbox did not start"
                time.sleep(0.1)
        yield url
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def receiver_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/webhook"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class ToSandbox(HTTPAdapter):
    """Sends what stravalib addresses to www.strava.com to the sandbox instead."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def send(self, request: requests.PreparedRequest, *args: Any,
             **kwargs: Any) -> requests.Response:
        request.url = (request.url or "").replace("https://www.strava.com", self.base_url, 1)
        return super().send(request, *args, **kwargs)


def strava_client(base_url: str) -> Client:
    session = requests.Session()
    session.mount("https://www.strava.com", ToSandbox(base_url))
    return Client(requests_session=session)


def connect(client: Client, athlete_id: int) -> None:
    url = client.authorization_url(
        SANDBOX_CLIENT_ID, "http://127.0.0.1/cb", scope=["activity:read_all", "activity:write"])
    redirect = client.protocol.rsession.get(
        url, params={"sandbox_athlete": athlete_id}, allow_redirects=False)
    code = parse_qs(urlsplit(redirect.headers["Location"]).query)["code"][0]
    client.exchange_code_for_token(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, code)


def upload(sandbox_url: str, athlete_id: int) -> int:
    """A run uploaded through the control API as a Strava bundle."""
    from datetime import UTC, datetime

    from tests.worker.sandbox.conftest import interval_run
    from worker.sandbox.fixtures import detailed_activity

    detail, streams = detailed_activity(interval_run(datetime.now(UTC)), 1, 1)
    bundle = {"activity": detail, "streams": {k: {"data": v} for k, v in streams.items()}}
    response = requests.post(f"{sandbox_url}/_sandbox/athletes/{athlete_id}/activities",
                             json={"bundle": bundle, "description": "Legs heavy."}, timeout=5)
    activity_id: int = response.json()["id"]
    return activity_id


def test_handshake_then_create_event_delivered_on_the_second_try(
        sandbox_url: str, receiver_url: str) -> None:
    client = strava_client(sandbox_url)
    subscription = client.create_subscription(
        SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, receiver_url, verify_token=VERIFY_TOKEN)
    connect(client, 77)
    activity_id = upload(sandbox_url, 77)
    deadline = time.monotonic() + 5
    while not Receiver.events:
        assert time.monotonic() < deadline, "no event arrived"
        time.sleep(0.05)
    event = client.handle_subscription_update(Receiver.events[0])
    assert (event.object_id, event.owner_id, event.aspect_type) == (activity_id, 77, "create")
    assert event.subscription_id == subscription.id
    # The sandbox counts an attempt once the receiver's answer is back, which can be after the
    # receiver has kept the event.
    statuses: list[int] = []
    while len(statuses) < 2 and time.monotonic() < deadline:
        stats = requests.get(f"{sandbox_url}/_sandbox/stats", timeout=5).json()
        statuses = [a["status"] for a in stats["webhooks"]["attempts"]]
        time.sleep(0.05)
    assert statuses == [503, 200]


def test_stravalib_client_reads_activity_and_streams_and_updates_description(
        sandbox_url: str) -> None:
    client = strava_client(sandbox_url)
    connect(client, 78)
    activity_id = upload(sandbox_url, 78)
    activity = client.get_activity(activity_id)
    assert activity.description == "Legs heavy." and activity.laps
    streams = client.get_activity_streams(activity_id, types=["time", "heartrate", "latlng"])
    assert set(streams) == {"time", "heartrate", "latlng", "distance"}
    assert len(streams["heartrate"].data or []) == len(streams["time"].data or [])
    listed = list(client.get_activities(limit=5))
    assert [a.id for a in listed] == [activity_id]
    updated = client.update_activity(activity_id, description="Legs heavy.\n\nStridewise: ok")
    assert updated.description == "Legs heavy.\n\nStridewise: ok"
    stored = requests.get(f"{sandbox_url}/_sandbox/activities/{activity_id}", timeout=5).json()
    assert stored["description"] == "Legs heavy.\n\nStridewise: ok"
