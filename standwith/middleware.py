from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import trans_real

from standwith import errors
from standwith.campaigns.services import PetitionRemoved
from standwith.public import mark_public
from standwith.staff import switches


# Pages load nothing from any other site: no fonts, scripts, trackers or
# frames. A third-party request would tell that site who reads about whom.
# Only a partner's embed (standwith.outreach.embeds) may be framed, and only by the sites listed for it.
def content_security_policy(frame_ancestors: str = "'none'") -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "img-src 'self' data:",
            "style-src 'self'",
            "script-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        return response

    return middleware


def explain_refused_methods(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Give a 405 (which Django's method decorators send empty, and the API's framework in English text)
    a message in the visitor's language."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if response.status_code == 405 and (not response.content or request.path.startswith("/api/")):
            explained = errors.method_not_allowed(request)
            explained["Allow"] = response["Allow"]
            return explained
        return response

    return middleware


# Addresses that have no language version: the count JSON is polled, so it skips the negotiation.
UNLOCALISED = ("/api/", "/admin/", "/media/", "/static/")


def negotiate_language(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Send a page address without a language (/p/<slug>/, as shared) to the reader's language.

    Every page carries its language in its path, so a cached page is right for
    everyone who asks for that address; only this redirect varies with
    Accept-Language. It is answered before any view runs, so a spike of shared
    links costs one cheap redirect each.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if (
            request.method in {"GET", "HEAD"}
            and not path.startswith(UNLOCALISED)
            and not translation.get_language_from_path(path)
        ):
            language = negotiated_language(request)
            localised = f"/{language}{path}"
            # Language-prefixed patterns only match the active language's prefix.
            with translation.override(language):
                valid = is_valid_path(localised, getattr(request, "urlconf", None))
            if valid:
                query = request.META.get("QUERY_STRING", "")
                response = HttpResponseRedirect(
                    f"{request.META.get('SCRIPT_NAME', '')}{localised}{'?' if query else ''}{query}"
                )
                patch_vary_headers(response, ["Accept-Language"])
                return mark_public(response, max_age=3600)
        return get_response(request)

    return middleware


def negotiated_language(request: HttpRequest) -> str:
    """The site language the browser prefers most, by Accept-Language only (the site sets no cookie)."""
    header = request.headers.get("Accept-Language", "")
    for accepted, _quality in trans_real.parse_accept_lang_header(header[:500]):
        if accepted == "*":
            break
        try:
            return translation.get_supported_language_variant(accepted)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class AnswerRemovedPetitions:
    """A petition taken down answers 410 Gone with its reason, wherever it was asked for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PetitionRemoved):
            return None
        message = exception.reason or _("It no longer meets this site's standards.")
        return errors.notice(request, 410, _("This petition has been removed"), message)


# What still works in read-only mode: signing in, and the page that turns it off.
READ_ONLY_EXCEPTIONS = ("/admin/login/", "/admin/logout/", "/admin/second-factor/", "/admin/staff/siteswitches/")


def refuse_changes_when_read_only(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """In read-only mode (an incident, a migration), refuse every change with a clear 503 before any view runs."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if (
            request.method not in {"GET", "HEAD", "OPTIONS"}
            and switches.current().read_only
            and not request.path_info.startswith(READ_ONLY_EXCEPTIONS)
        ):
            response = errors.notice(
                request,
                503,
                _("The site is read-only for a short while"),
                _("Nothing you sent was recorded. Please come back in a few minutes and try again."),
            )
            response["Retry-After"] = "300"
            return response
        return get_response(request)

    return middleware
