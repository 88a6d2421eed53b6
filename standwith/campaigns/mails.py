"""The emails that tell a petition's staff about it: a milestone passed, and the way to send each of them one."""

import smtplib
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from standwith.campaigns.models import Milestone, ResponseSubmission
from standwith.campaigns.sharing import petition_address
from standwith.outreach.services import send_once
from standwith.staff.models import Role

# Those who run the petition; moderators and data officers have other reasons to look.
TOLD = [Role.CAMPAIGNER, Role.ADMIN]


def staff_to_tell(organization_id: int) -> list[User]:
    """The campaigners and admins of the organisation, each once, who can be mailed."""
    return list(
        User.objects.filter(is_active=True, memberships__organization_id=organization_id, memberships__role__in=TOLD)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def mail_staff(organization_id: int, key: str, build: Callable[[User], EmailMessage]) -> str:
    """Mail each of the organisation's campaigners and admins once under `key` (a retry skips those told); says how
    many now.

    A mail server that is down or busy raises, for the caller's task to try again later.
    """
    sent = 0
    for recipient in staff_to_tell(organization_id):
        try:
            sent += send_once(f"{key}:{recipient.pk}", build(recipient))
        except smtplib.SMTPRecipientsRefused:
            continue
    return f"sent {sent}"


def milestone_mail(milestone: Milestone, recipient: User) -> EmailMultiAlternatives:
    petition = milestone.petition
    # Staff read the site's own language; the strings are marked so they can have theirs later.
    with translation.override(settings.LANGUAGE_CODE):
        passed = formats.number_format(milestone.threshold, force_grouping=True)
        context = {
            "name": recipient.get_full_name() or recipient.get_username(),
            "title": petition.title,
            "organisation": petition.organization.name,
            "threshold": milestone.threshold,
            "passed": passed,
            "date": formats.date_format(timezone.localtime(milestone.reached_at), "DATE_FORMAT"),
            "page_url": petition_address(petition),
            "admin_url": settings.SITE_URL + reverse("admin:campaigns_petition_change", args=[petition.pk]),
        }
        subject = ngettext(
            "“%(title)s” has passed %(passed)s signature",
            "“%(title)s” has passed %(passed)s signatures",
            milestone.threshold,
        ) % {"title": petition.title, "passed": passed}
        text = render_to_string("campaigns/email/milestone.txt", context)
    return EmailMultiAlternatives(
        subject=subject, body=text, to=[recipient.email], headers={"Auto-Submitted": "auto-generated"}
    )


def submission_mail(submission: ResponseSubmission, recipient: User) -> EmailMultiAlternatives:
    petition = submission.petition
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "name": recipient.get_full_name() or recipient.get_username(),
            "title": petition.title,
            "target": submission.target.name,
            "sender": submission.sender,
            "text": submission.text,
            "organisation": petition.organization.name,
            "admin_url": settings.SITE_URL + reverse("admin:campaigns_responsesubmission_change", args=[submission.pk]),
        }
        subject = _("%(target)s answered “%(title)s”") % {"target": submission.target.name, "title": petition.title}
        text = render_to_string("campaigns/email/response_submitted.txt", context)
    return EmailMultiAlternatives(
        subject=subject, body=text, to=[recipient.email], headers={"Auto-Submitted": "auto-generated"}
    )
