"""Error pages in the visitor's language, never a bare status line."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from standwith.campaigns import services
from standwith.campaigns.models import Petition

# The stable codes the API answers with (standwith/api/errors.py) for refusals made by the site around it.
API_CODES = {
    400: "malformed",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    410: "removed",
    413: "too_large",
    429: "rate_limited",
    503: "unavailable",
}


def notice(
    request: HttpRequest, status: int, title: str, message: str, petition: Petition | None = None
) -> HttpResponse:
    """A short page that says what went wrong and where to go next (JSON under /api/, as the API's own errors)."""
    if request.path.startswith("/api/"):
        body = {"error": API_CODES.get(status, "refused"), "title": title, "detail": message}
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    shown = services.shown_petition(petition, get_language()) if petition is not None else None
    return render(request, "notice.html", {"title": title, "message": message, "petition": shown}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return notice(
        request, 400, _("We could not read that request"), _("Please go back, check what you sent and try again.")
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return notice(request, 403, _("Not allowed"), _("You do not have access to this page."))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return notice(
        request,
        404,
        _("Page not found"),
        _("There is nothing at this address. It may have moved, or the link is incomplete."),
    )


def method_not_allowed(request: HttpRequest) -> HttpResponse:
    return notice(
        request,
        405,
        _("This address does not take that kind of request"),
        _("Please use the links and forms on the site."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors or database here: this page must render while things are broken.
    return HttpResponse(get_template("500.html").render(), status=500)
