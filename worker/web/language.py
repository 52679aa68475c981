"""The language a visitor reads the pages in, before they are an athlete with settings.

Their choice on the front page (a cookie) wins; otherwise the browser's Accept-Language. The
OAuth callback gives a newly connected athlete this language, so the first page after
connecting, the evidence of their history and their first block speak what they read.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from worker import i18n

#: The cookie that keeps a visitor's choice of language on the front page.
LANGUAGE_COOKIE = "stridewise_lang"
#: How long that choice is remembered: a year, as a preference, not a session.
LANGUAGE_MAX_AGE_S = 365 * 24 * 3600


def negotiate(accept_language: str) -> str:
    """The first of the browser's languages (by quality) that Stridewise speaks; else English."""
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        wanted.append((-quality, position, tag.strip().split("-")[0].lower()))
    return next((code for q, _, code in sorted(wanted) if q < 0 and code in i18n.LANGUAGES),
                "en")


def visitor_language(request: Request) -> str:
    """The language the visitor chose on the front page, else their browser's."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in i18n.LANGUAGES:
        return chosen
    return negotiate(request.headers.get("accept-language", ""))


def remember(response: Response, language: str, secure: bool) -> None:
    """Keep the visitor's choice of ``language`` in their browser."""
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=LANGUAGE_MAX_AGE_S, httponly=True,
                        samesite="lax", secure=secure)
