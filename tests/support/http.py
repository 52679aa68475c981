"""The tests' requests to the processes they start, with one TLS context for all of them.

``httpx.get`` and friends build a client, and each client a TLS context that reads certifi's
bundle of certificates: about 25 ms of CPU per request even over plain HTTP, and the tests
send thousands. These take the same arguments and share the dev stack's one context, which
verifies as httpx's default does.
"""

from __future__ import annotations

from typing import Any

import httpx

from worker.devstack import tls


def request(method: str, url: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, url, verify=tls(), **kwargs)


def get(url: str, **kwargs: Any) -> httpx.Response:
    return request("GET", url, **kwargs)


def post(url: str, **kwargs: Any) -> httpx.Response:
    return request("POST", url, **kwargs)


def put(url: str, **kwargs: Any) -> httpx.Response:
    return request("PUT", url, **kwargs)


def delete(url: str, **kwargs: Any) -> httpx.Response:
    return request("DELETE", url, **kwargs)


def client(**kwargs: Any) -> httpx.Client:
    """A client of its own (cookies, base URL), on the shared context."""
    return httpx.Client(verify=tls(), **kwargs)
