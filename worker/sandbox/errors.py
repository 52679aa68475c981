"""Strava's error answers: the Fault shape, raised as one exception type and rendered once."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class StravaError(Exception):
    """An answer in Strava's Fault shape: a message and one error naming the culprit."""

    def __init__(self, status: int, message: str, resource: str, field: str, code: str) -> None:
        super().__init__(f"{status} {message}: {resource}.{field} {code}")
        self.status = status
        self.body = {"message": message,
                     "errors": [{"resource": resource, "field": field, "code": code}]}

    @classmethod
    def unauthorized(cls, resource: str, field: str, code: str = "invalid") -> StravaError:
        return cls(401, "Authorization Error", resource, field, code)

    @classmethod
    def bad_request(cls, resource: str, field: str, code: str = "invalid") -> StravaError:
        return cls(400, "Bad Request", resource, field, code)

    @classmethod
    def not_found(cls, resource: str, field: str = "id") -> StravaError:
        return cls(404, "Record Not Found", resource, field, "invalid")


def fault_response(status: int, message: str, resource: str, field: str, code: str) -> Response:
    return JSONResponse(StravaError(status, message, resource, field, code).body, status)


async def render(request: Request, exc: Exception) -> Response:
    """Starlette exception handler for :class:`StravaError`."""
    if not isinstance(exc, StravaError):
        raise exc
    return JSONResponse(exc.body, status_code=exc.status)
