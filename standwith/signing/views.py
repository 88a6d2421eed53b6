import math
from collections.abc import Callable
from urllib.parse import urlencode

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render, resolve_url
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from standwith.campaigns.models import Petition
from standwith.campaigns.services import shown_petition
from standwith.campaigns.views import petition_context, petition_or_404
from standwith.errors import notice
from standwith.shield import challenge, limits, shields
from standwith.shield.network import client_ip
from standwith.shield.origin import comes_from_allowed_origin
from standwith.signing import referrals, services
from standwith.signing.forms import SignForm
from standwith.signing.tokens import BadToken, ExpiredToken, read_confirm_token

# A page that says what went wrong: errors.notice, or a partner's embed's own (outreach.embeds).
Notice = Callable[[HttpRequest, int, str, str, Petition | None], HttpResponse]


def see_other(view: str, **kwargs: str) -> HttpResponse:
    """303: the browser follows with a GET, so a reload never posts the form again."""
    response = HttpResponse(status=303)
    response["Location"] = resolve_url(view, **kwargs)
    return response


def closed_notice(request: HttpRequest, petition: Petition, show: Notice = notice) -> HttpResponse:
    return show(
        request,
        409,
        _("This petition is closed"),
        _("This petition no longer takes signatures. Thank you for wanting to support it."),
        petition,
    )


def paused_notice(request: HttpRequest, petition: Petition, show: Notice = notice) -> HttpResponse:
    response = show(
        request,
        503,
        _("Signing is paused for a short while"),
        _("Nothing you sent was recorded. Please come back in a few minutes and try again."),
        petition,
    )
    response["Retry-After"] = "300"
    return response


def rate_limited_notice(
    request: HttpRequest, petition: Petition, retry_after: int, show: Notice = notice
) -> HttpResponse:
    # The same words whichever limit was reached, so a script learns nothing about which one to dodge.
    minutes = math.ceil(retry_after / 60)
    response = show(
        request,
        429,
        _("Please wait a little before signing"),
        ngettext(
            "We are receiving a great many signatures just now and let them in at a steady pace. "
            "Nothing you sent was recorded. Please try again in %(minutes)d minute.",
            "We are receiving a great many signatures just now and let them in at a steady pace. "
            "Nothing you sent was recorded. Please try again in %(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes},
        petition,
    )
    response["Retry-After"] = str(retry_after)
    return response


def challenge_notice(request: HttpRequest, petition: Petition, show: Notice = notice) -> HttpResponse:
    # 403: the form was fine, but it lacked the proof the petition asks for while its shields are up, and
    # sending the same again will not help. The same words for a missing, forged, expired or reused solution.
    return show(
        request,
        403,
        _("Signing needs a quick check just now"),
        _(
            "To keep automated signatures out, this petition asks your browser to solve a small puzzle before it "
            "takes your name. Your browser does this by itself, but it needs JavaScript. Nothing you sent was "
            "recorded. Please allow JavaScript for this site and sign again, or wait a few minutes and try again, "
            "or open the petition in another browser."
        ),
        petition,
    )


# The form carries no CSRF token (the page is the same for everyone so it can
# be cached); cross-site posts are refused by the Origin check instead.
@csrf_exempt
@require_POST
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    return sign_petition(request, petition_or_404(slug), SignAnswers())


class SignAnswers:
    """How the sign path answers on the petition page; a partner's embed answers inside its frame instead."""

    def form(self, data: QueryDict) -> SignForm:
        return SignForm(data)

    def notice(
        self, request: HttpRequest, status: int, title: str, message: str, petition: Petition | None = None
    ) -> HttpResponse:
        return notice(request, status, title, message, petition)

    def form_errors(self, request: HttpRequest, petition: Petition, form: SignForm) -> HttpResponse:
        return render(request, "campaigns/petition.html", petition_context(petition, form), status=400)

    def signed(self, petition: Petition) -> HttpResponse:
        return see_other("check_email", slug=petition.slug)


def sign_petition(request: HttpRequest, petition: Petition, answers: SignAnswers) -> HttpResponse:
    """The sign form's one path, posted on the petition page or in a partner's embed."""
    if not comes_from_allowed_origin(request):
        return answers.notice(
            request,
            403,
            _("Please sign on the petition page"),
            _("We could not tell where this form was sent from. Please open the petition page and sign there."),
            petition,
        )
    try:
        form = answers.form(request.POST)
        valid = form.is_valid()
    except RequestDataTooBig:
        return answers.notice(
            request,
            413,
            _("Too much text"),
            _("What you sent is far longer than a signature. Please go back and check the form."),
            petition,
        )
    if not valid:
        return answers.form_errors(request, petition, form)
    if form.caught_in_honeypot():
        return answers.signed(petition)  # a signer's answer, so the script learns nothing
    # Only while the shields are up is the challenge's field read at all: otherwise honest signers pay
    # nothing, and one whose browser ran no JavaScript, or had not finished, signs as usual.
    if shields.up(petition):
        try:
            challenge.spend(request.POST.get(challenge.FIELD, ""))
        except challenge.Refused:
            return challenge_notice(request, petition, answers.notice)
    data = form.cleaned_data
    ip = client_ip(request)
    try:
        limits.check(petition, ip, data["email"])
    except limits.RateLimited as refusal:
        return rate_limited_notice(request, petition, refusal.retry_after, answers.notice)
    signer = services.Signer(
        name=data["name"],
        email=data["email"],
        country=data["country"],
        postcode=data["postcode"],
        consent_campaign_updates=data["consent_campaign_updates"],
        consent_org_updates=data["consent_org_updates"],
        show_name_publicly=data["show_name_publicly"],
        language=get_language(),
        source=data["source"],
        referrer_host=data["came_from"],
        referral_code=referrals.code_sent(data["ref"], request),
        client_ip=ip,
    )
    try:
        services.sign(petition, signer)
    except services.PetitionNotOpen:
        return closed_notice(request, petition, answers.notice)
    except services.SigningPaused:
        return paused_notice(request, petition, answers.notice)
    return answers.signed(petition)


@csrf_exempt  # the signed token in the URL is what authorises the confirmation
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    petition = petition_or_404(slug)
    try:
        petition_id, signature_id = read_confirm_token(token)
    except ExpiredToken:
        return notice(
            request,
            410,
            _("This link has expired"),
            _("Confirmation links work for a limited time. Sign the petition again and we will send you a new one."),
            petition,
        )
    except BadToken:
        petition_id = None
    if petition_id != petition.pk:
        return notice(
            request,
            400,
            _("This link is not valid"),
            _("Please open the link exactly as it is in the email we sent you, or sign again to get a new one."),
            petition,
        )
    if request.method != "POST":
        # Mail scanners open links before people do: only the button confirms.
        shown = shown_petition(petition, get_language())
        response = render(request, "signing/confirm.html", {"petition": shown, "token": token})
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response
    try:
        outcome = services.confirm(petition, signature_id)
    except services.PetitionNotOpen:
        return closed_notice(request, petition)
    except services.SigningPaused:
        return paused_notice(request, petition)
    if outcome is services.Confirmation.UNAVAILABLE:
        return notice(
            request,
            404,
            _("This signature is no longer here"),
            _("It was withdrawn or removed. You are welcome to sign again."),
            petition,
        )
    # The thanks page shows the signer's personal share link, made from the code in its address.
    response = see_other("thanks", slug=petition.slug)
    response["Location"] += "?" + urlencode({"ref": referrals.code_for(petition.pk, signature_id)})
    return response
