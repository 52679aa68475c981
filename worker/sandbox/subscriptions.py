"""Strava's push subscription endpoints: one subscription per application."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from worker.sandbox.auth import form_or_json
from worker.sandbox.config import SANDBOX_CLIENT_ID
from worker.sandbox.errors import StravaError
from worker.sandbox.runtime import check_client, sandbox_of
from worker.sandbox.state import Subscription


async def create(request: Request) -> Response:
    """Check the callback with Strava's handshake, then subscribe.

    Raises
    ------
    StravaError
        401 for wrong credentials; 400 for a missing field, a second subscription or a
        callback that fails the handshake.
    """
    params = await form_or_json(request)
    check_client(params.get("client_id"), params.get("client_secret"))
    callback_url = str(params.get("callback_url", ""))
    if not callback_url:
        raise StravaError.bad_request("PushSubscription", "callback_url", "missing")
    if "verify_token" not in params:
        raise StravaError.bad_request("PushSubscription", "verify_token", "missing")
    sandbox = sandbox_of(request)
    if sandbox.store.subscription is not None:
        raise StravaError.bad_request("PushSubscription", "", "already exists")
    failure = await sandbox.webhooks.handshake(callback_url, str(params["verify_token"]))
    if failure is not None:
        raise StravaError.bad_request("PushSubscription", "callback url", failure)
    if sandbox.store.subscription is not None:  # another request won during the handshake
        raise StravaError.bad_request("PushSubscription", "", "already exists")
    subscription = Subscription(sandbox.store.next_subscription_id(), callback_url,
                                sandbox.now())
    sandbox.store.subscription = subscription
    return JSONResponse({"id": subscription.id}, status_code=201)


async def listing(request: Request) -> Response:
    params = await form_or_json(request)
    check_client(params.get("client_id"), params.get("client_secret"))
    subscription = sandbox_of(request).store.subscription
    return JSONResponse([] if subscription is None else [subscription.as_json(SANDBOX_CLIENT_ID)])


async def delete(request: Request) -> Response:
    params = await form_or_json(request)
    check_client(params.get("client_id"), params.get("client_secret"))
    store = sandbox_of(request).store
    if store.subscription is None or store.subscription.id != request.path_params["id"]:
        raise StravaError.not_found("PushSubscription")
    store.subscription = None
    return Response(status_code=204)


ROUTES = [
    Route("/push_subscriptions", create, methods=["POST"]),
    Route("/push_subscriptions", listing, methods=["GET"]),
    Route("/push_subscriptions/{id:int}", delete, methods=["DELETE"]),
]
