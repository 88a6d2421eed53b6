import hmac
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from standwith.errors import notice
from standwith.outreach import optouts
from standwith.outreach.models import BounceKind
from standwith.outreach.tokens import BadToken, read_delivery_tag

MAX_WEBHOOK_EVENTS = 1000


@csrf_exempt  # the signed token in the URL is what authorises it; mail providers' one-click POST has no cookie
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        organization = optouts.organization_of(token)
    except BadToken:
        return notice(
            request,
            400,
            _("This link is not valid"),
            _("Please open the unsubscribe link exactly as it is in the email we sent you."),
        )
    if request.method != "POST":
        # Mail scanners open links before people do: only the button (or a mail app's one-click POST) unsubscribes.
        response = render(request, "outreach/unsubscribe.html", {"organization": organization, "token": token})
    else:
        outcome = optouts.unsubscribe(token)
        response = render(
            request,
            "outreach/unsubscribed.html",
            {"organization": organization, "test": outcome is optouts.Unsubscribed.TEST},
        )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _problem(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt  # called by a mail provider with a shared secret, never by a browser
@require_POST
def bounce_webhook(request: HttpRequest) -> JsonResponse:
    """Bounces and complaints from a mail provider, as JSON: {"events": [{"type", "email", "delivery", "status"}]}.

    "type" is hard, soft or complaint; "delivery" is the tag from the message's
    X-Standwith-Delivery header or return address, when the provider passes it on.
    """
    secret = settings.BOUNCE_WEBHOOK_SECRET
    if not secret:
        return _problem(404, _("Bounce reports are not taken here."))
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return _problem(401, _("The secret is missing or wrong."))
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _problem(400, _("The body is not JSON."))
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list) or not 1 <= len(events) <= MAX_WEBHOOK_EVENTS:
        return _problem(400, _('Send a list of 1 to %(n)d events under "events".') % {"n": MAX_WEBHOOK_EVENTS})
    checked = []
    for index, event in enumerate(events):
        error = _check_event(event)
        if error:
            return _problem(400, _("Event %(index)d: %(error)s") % {"index": index, "error": error})
        checked.append(event)
    for event in checked:
        delivery = event.get("delivery")
        optouts.record_bounce(
            event["type"],
            address=event.get("email"),
            delivery_id=read_delivery_tag(delivery) if delivery else None,
            status=event.get("status", ""),
        )
    return JsonResponse({"recorded": len(checked)})


def _check_event(event: object) -> str | None:
    if not isinstance(event, dict):
        return _("an event is an object.")
    if event.get("type") not in BounceKind.values:
        return _('"type" must be hard, soft or complaint.')
    email, delivery, status = event.get("email"), event.get("delivery"), event.get("status", "")
    if email is None and delivery is None:
        return _('give "email" or "delivery".')
    if email is not None:
        if not isinstance(email, str) or len(email) > 254:
            return _('"email" is not an email address.')
        try:
            validate_email(email)
        except ValidationError:
            return _('"email" is not an email address.')
    if delivery is not None and (not isinstance(delivery, str) or read_delivery_tag(delivery[:100]) is None):
        return _('"delivery" is not a tag from one of our messages.')
    if not isinstance(status, str) or len(status) > 16:
        return _('"status" is a short code such as 5.1.1.')
    return None
