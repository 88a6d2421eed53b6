"""The privacy notice: what the site stores about signers, how, for how long and who sees it."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from standwith.campaigns.models import Organization
from standwith.public import public_page

DEFAULT_RETENTION_DAYS: int = Organization._meta.get_field("retention_days").default


# The same page for everyone in a language: cached like every public page.
@public_page()
def privacy(request: HttpRequest) -> HttpResponse:
    context = {
        "retention_days": DEFAULT_RETENTION_DAYS,
        "ip_days": settings.IP_DIGEST_RETENTION_DAYS,
        "confirm_days": settings.CONFIRM_TOKEN_MAX_AGE_DAYS,
    }
    return render(request, "privacy.html", context)
