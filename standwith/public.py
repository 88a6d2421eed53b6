"""Anonymous pages: the same bytes for every visitor, so anyone can cache them.

A spike is mostly people refreshing a page; served from the cache here (see
freshcache), and with Cache-Control that lets nginx or a CDN serve it too, a
refresh storm costs about one render a second, not one per visitor. `stale-if-error` lets a
proxy keep serving the page through a blip of the application.
"""

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from standwith.errors import notice
from standwith.freshcache import fresh

View = Callable[..., HttpResponse]
R = TypeVar("R", bound=HttpResponseBase)


def mark_public(response: R, max_age: int | None = None) -> R:
    age = settings.PUBLIC_CACHE_SECONDS if max_age is None else max_age
    patch_cache_control(response, public=True, max_age=age, stale_while_revalidate=30, stale_if_error=86400)
    return response


def public_page(*, query: tuple[str, ...] = ()) -> Callable[[View], View]:
    """Serve a GET from the two-level cache, keyed by path, language and the named query parameters.

    Other query parameters are not part of the key and the view must not
    read them: a flood of made-up query strings is still served from cache.
    Only 200 and 404 answers are cached; anything else is rendered each time.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            # Hashed: query values may hold anything, and cache keys want no spaces or control characters.
            # Every value of each named parameter, and none for one left out: `?language=` is not the same request
            # as no language (the API refuses the one and answers the other), and must not be served its answer.
            params = urlencode([(name, value) for name in query for value in request.GET.getlist(name)])
            digest = hashlib.sha256(f"{request.path}?{params}".encode()).hexdigest()
            key = f"page:{get_language()}:{digest}"
            uncachable: list[HttpResponse] = []

            def render() -> tuple[int, str, bytes] | None:
                response = view(request, *args, **kwargs)
                if response.status_code in {200, 404} and not response.cookies and not response.streaming:
                    return response.status_code, response["Content-Type"], response.content
                uncachable.append(response)
                return None

            entry = fresh(key, settings.PUBLIC_CACHE_SECONDS, render)
            if entry is None:
                return uncachable[0] if uncachable else view(request, *args, **kwargs)
            status, content_type, content = entry
            return mark_public(HttpResponse(content, status=status, content_type=content_type))

        return wrapper

    return decorator


def private(view: View) -> View:
    """Per-person pages: never stored by a proxy, never indexed, and a huge body is a clear 413."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except RequestDataTooBig:
            response = notice(request, 413, _("Too much text"), _("What you sent is far longer than this form takes."))
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapper
