"""Every refusal of the API as JSON: a stable code for programs, a sentence in the reader's language for people.

Body: {"error": code, "detail": sentence, "errors": [{"field": ..., "problem": ...}]}; the list only when
fields were wrong. Nothing reaches Django's 500 page: the handlers below cover what a client can send.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from standwith.shield.limits import RateLimited

# Names ninja and pydantic put in an error's location that the client never wrote: the parameter holding the
# body, and the tags of the one-or-many signature union (api/schemas.py).
WRAPPERS = {"body", "signature", "batch"}


class ApiError(Exception):
    """A refusal with its status, code and sentence; raised anywhere below a view."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        headers: dict[str, str] | None = None,
        problems: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}
        self.problems = problems


def invalid(problems: list[dict[str, str]]) -> ApiError:
    return ApiError(
        422,
        "invalid",
        _("Some of what you sent is missing or not in the expected form; see errors."),
        problems=problems,
    )


def _field(location: tuple[object, ...]) -> str:
    parts = [str(part) for part in location[1:] if part not in WRAPPERS]
    return ".".join(parts) if parts else "body"


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("There is nothing at this address, or your token does not reach it."))


def forbidden_scope(scope: str) -> ApiError:
    return ApiError(403, "insufficient_scope", _("This token does not have the %(scope)s scope.") % {"scope": scope})


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any], headers: dict[str, str]) -> HttpResponse:
        response = api.create_response(request, body, status=status)
        response["Cache-Control"] = "no-store"
        for name, value in headers.items():
            response[name] = value
        return response

    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        body: dict[str, Any] = {"error": exc.code, "detail": exc.detail}
        if exc.problems is not None:
            body["errors"] = exc.problems
        return respond(request, exc.status, body, exc.headers)

    def validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        problems = [
            # The location as the client wrote it, without ninja's and pydantic's own names for where it was;
            # "body" when the whole body is missing.
            {"field": _field(error.get("loc", ())), "problem": str(error.get("msg", ""))}
            for error in exc.errors
        ]
        return api_error(request, invalid(problems))

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, AuthenticationError):
            return respond(
                request,
                401,
                {"error": "unauthenticated", "detail": _("This needs a valid API token.")},
                {"WWW-Authenticate": 'Bearer realm="standwith"'},
            )
        if exc.status_code == 400:  # ninja's own refusal of a body that is not JSON
            return respond(request, 400, {"error": "malformed", "detail": _("The request body is not valid JSON.")}, {})
        return respond(request, exc.status_code, {"error": "refused", "detail": str(exc)}, {})

    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(
            request, 413, {"error": "too_large", "detail": _("The request body is larger than the API takes.")}, {}
        )

    def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        detail = ngettext(
            "Too many requests with this token. Please wait %(seconds)d second.",
            "Too many requests with this token. Please wait %(seconds)d seconds.",
            exc.retry_after,
        ) % {"seconds": exc.retry_after}
        return respond(request, 429, {"error": "rate_limited", "detail": detail}, {"Retry-After": str(exc.retry_after)})

    def missing(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api_error(request, not_found())

    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (ApiError, api_error),
        (ValidationError, validation),
        (HttpError, http_error),
        (RequestDataTooBig, too_big),
        (RateLimited, rate_limited),
        (Http404, missing),
    ]
    for exception, handler in handlers:
        api.add_exception_handler(exception, handler)
