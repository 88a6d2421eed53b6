"""The notice to an organisation's staff that the site stopped sending to one of its endpoints."""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from standwith.outreach.webhooks.models import Endpoint


def disabled_notice(endpoint: Endpoint, recipient: User) -> EmailMultiAlternatives:
    # Staff read the site's own language; the strings are marked so they can have theirs later.
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "name": recipient.get_full_name() or recipient.get_username(),
            "url": endpoint.url,
            "organisation": endpoint.organization.name,
            "reason": endpoint.disabled_reason,
            "admin_url": settings.SITE_URL + reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]),
        }
        subject = _("Webhook endpoint disabled: %(url)s") % {"url": endpoint.url}
        text = render_to_string("webhooks/email/disabled.txt", context)
    return EmailMultiAlternatives(
        subject=subject, body=text, to=[recipient.email], headers={"Auto-Submitted": "auto-generated"}
    )
