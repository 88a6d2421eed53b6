"""The signer's own page, reached by the link in every email we send them (services in signing/rights.py)."""

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from standwith.campaigns.models import Petition
from standwith.campaigns.services import shown_petition
from standwith.errors import notice
from standwith.public import private
from standwith.shield.origin import comes_from_allowed_origin
from standwith.signing import rights as manage
from standwith.signing.models import Signature
from standwith.signing.tokens import BadToken

ACTIONS = {"withdraw", "consents", "export", "erase"}


def _not_valid(request: HttpRequest) -> HttpResponse:
    return notice(
        request,
        400,
        _("This link is not valid"),
        _("Please open the link exactly as it is in the email we sent you. Nothing was changed."),
    )


# No CSRF cookie: the secret token in the address is what authorises every action, and a page elsewhere cannot
# know it; the Origin check (as on the sign form) refuses a cross-site post all the same.
@csrf_exempt
@private
@require_http_methods(["GET", "HEAD", "POST"])
def manage_signature(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    try:
        petition_id, signature_id = manage.read_manage_token(token)
    except BadToken:
        return _not_valid(request)
    # Any state, not only the public ones: the signer's rights outlast the petition's page.
    petition = Petition.objects.select_related("organization").filter(slug=slug).first()
    if petition is None or petition.pk != petition_id:
        return _not_valid(request)
    signature = manage.signature_of(petition, signature_id)
    if signature is None:
        return _page(request, petition, token, None, status=404)
    if request.method != "POST":
        # Mail scanners open links before people do: looking changes nothing, only the buttons do.
        return _page(request, petition, token, manage.held(signature))
    if not comes_from_allowed_origin(request):
        return notice(
            request,
            403,
            _("Please use the buttons on your signature's page"),
            _(
                "We could not tell where this form was sent from. "
                "Open the link from your email again. Nothing was changed."
            ),
            petition,
        )
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return _page(
            request, petition, token, manage.held(signature), status=400, problem=_("Please choose an action.")
        )
    if action == "export":
        return _download(signature)
    if action == "withdraw":
        outcome = manage.withdraw(petition, signature_id)
        done = _("Your signature is withdrawn: it no longer counts, and you will get no more email about it.")
        if outcome is manage.Withdrawal.ALREADY:
            done = _("Your signature was withdrawn already.")
    elif action == "consents":
        choices = manage.Consents(
            campaign_updates=request.POST.get("consent_campaign_updates") == "on",
            org_updates=request.POST.get("consent_org_updates") == "on",
            show_name_publicly=request.POST.get("show_name_publicly") == "on",
        )
        manage.change_consents(petition, signature_id, choices)
        done = _("Your choices are saved.")
    else:
        if request.POST.get("confirm") != "on":
            return _page(
                request,
                petition,
                token,
                manage.held(signature),
                status=400,
                problem=_("To erase your data, tick the box that says you understand, then press the button again."),
            )
        manage.erase(petition, signature_id)
        done = _("Your personal data is erased. Only an anonymous tally remains: the country and the day.")
    signature = manage.signature_of(petition, signature_id)
    return _page(request, petition, token, manage.held(signature) if signature else None, done=done)


def _page(
    request: HttpRequest,
    petition: Petition,
    token: str,
    held: manage.Held | None,
    *,
    status: int = 200,
    done: str = "",
    problem: str = "",
) -> HttpResponse:
    context = {
        "petition": shown_petition(petition, get_language()),
        "token": token,
        "held": held,
        "done": done,
        "problem": problem,
    }
    return render(request, "signing/manage.html", context, status=status)


def _download(signature: Signature) -> HttpResponse:
    data = manage.export(signature)
    manage.record_export(signature)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="signature-{signature.petition.slug}.json"'
    return response
