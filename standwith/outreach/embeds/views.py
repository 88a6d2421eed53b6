"""A partner's embed: the sign form alone, in a frame on the partner's site, answering inside the frame."""

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render, resolve_url
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from standwith.campaigns import services as campaigns
from standwith.campaigns.models import Petition
from standwith.campaigns.views import petition_context, petition_or_404
from standwith.middleware import content_security_policy
from standwith.outreach.embeds.services import Frame, active_frame
from standwith.public import public_page
from standwith.signing.forms import SignForm
from standwith.signing.views import SignAnswers, sign_petition


def frame_or_404(key: str) -> Frame:
    frame = active_frame(key)
    if frame is None:
        # Answered by the site's 404 page, which no site may frame.
        raise Http404("no active embed at this address")
    return frame


def framed(response: HttpResponse, frame: Frame) -> HttpResponse:
    """Let the partner's sites, and only those, show this answer in a frame.

    Added outside the page cache, which keeps a page's body for every embed
    alike but no headers.
    """
    response["Content-Security-Policy"] = content_security_policy(frame.frame_ancestors)
    response.xframe_options_exempt = True
    return response


class EmbedSignForm(SignForm):
    """The sign form in a partner's frame: signatures carry the partner's source code, whatever is posted."""

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        super().__init__(*args, initial={"source": source}, **kwargs)
        self.partner_source = source

    def clean_source(self) -> str:
        return self.partner_source


class FrameAnswers(SignAnswers):
    """Every answer to a signature made in the frame stays in the frame, in the language of its address."""

    def __init__(self, frame: Frame) -> None:
        self.frame = frame

    def form(self, data: QueryDict) -> SignForm:
        return EmbedSignForm(data, source=self.frame.source)

    def notice(
        self, request: HttpRequest, status: int, title: str, message: str, petition: Petition | None = None
    ) -> HttpResponse:
        shown = campaigns.shown_petition(petition, get_language()) if petition is not None else None
        context = {"title": title, "message": message, "petition": shown, "key": self.frame.key}
        return render(request, "embeds/notice.html", context, status=status)

    def form_errors(self, request: HttpRequest, petition: Petition, form: SignForm) -> HttpResponse:
        return render(request, "embeds/frame.html", frame_context(petition, form, self.frame), status=400)

    def signed(self, petition: Petition) -> HttpResponse:
        response = HttpResponse(status=303)
        response["Location"] = resolve_url("embed_check_email", key=self.frame.key)
        return response


def frame_context(petition: Petition, form: SignForm, frame: Frame) -> dict[str, Any]:
    return {**petition_context(petition, form), "key": frame.key}


@require_safe
def frame_page(request: HttpRequest, key: str) -> HttpResponse:
    frame = frame_or_404(key)
    return framed(_cached_frame_page(request, frame), frame)


@public_page()
def _cached_frame_page(request: HttpRequest, frame: Frame) -> HttpResponse:
    petition = petition_or_404(frame.petition_slug)
    form = EmbedSignForm(source=frame.source)
    return render(request, "embeds/frame.html", frame_context(petition, form, frame))


# No CSRF token, as on the petition page: the frame's form posts to this site, whose Origin check it passes.
@csrf_exempt
@require_POST
def sign(request: HttpRequest, key: str) -> HttpResponse:
    frame = frame_or_404(key)
    return framed(sign_petition(request, petition_or_404(frame.petition_slug), FrameAnswers(frame)), frame)


@require_safe
def check_email(request: HttpRequest, key: str) -> HttpResponse:
    frame = frame_or_404(key)
    return framed(_cached_check_email(request, frame), frame)


@public_page()
def _cached_check_email(request: HttpRequest, frame: Frame) -> HttpResponse:
    petition = campaigns.shown_petition(petition_or_404(frame.petition_slug), get_language())
    context = {"petition": petition, "confirm_days": settings.CONFIRM_TOKEN_MAX_AGE_DAYS, "key": frame.key}
    return render(request, "embeds/check_email.html", context)
