"""The email that tells a petition's staff its shields went up or came down."""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from standwith.campaigns.models import Petition
from standwith.campaigns.sharing import petition_address


def shield_mail(petition: Petition, recipient: User, change: str, reason: str) -> EmailMessage:
    # Staff read the site's own language, as with milestones.
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "name": recipient.get_full_name() or recipient.get_username(),
            "title": petition.title,
            "organisation": petition.organization.name,
            "raised": change == "raised",
            "reason": reason,
            "calm_minutes": settings.SHIELD_CALM_MINUTES,
            "page_url": petition_address(petition),
            "admin_url": settings.SITE_URL + reverse("admin:campaigns_petition_change", args=[petition.pk]),
        }
        if change == "raised":
            subject = _("Shields up on “%(title)s”") % {"title": petition.title}
        else:
            subject = _("Shields down on “%(title)s”") % {"title": petition.title}
        text = render_to_string("shield/email/shields.txt", context)
    return EmailMessage(subject=subject, body=text, to=[recipient.email], headers={"Auto-Submitted": "auto-generated"})
