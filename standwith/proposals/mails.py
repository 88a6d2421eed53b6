"""The emails a proposer and their supporters receive, each in the language they wrote in."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from standwith.campaigns.sharing import petition_address
from standwith.proposals.models import Supporter
from standwith.proposals.services import supporters_needed
from standwith.proposals.tokens import make_token
from standwith.signing import crypto

SUBJECTS = {
    "confirm_proposal": lambda: _("Please confirm your petition: %(title)s"),
    "confirm_support": lambda: _("Please confirm your support: %(title)s"),
    "collect": lambda: _("Ask your supporters: %(title)s"),
    "in_review": lambda: _("Your petition is being reviewed: %(title)s"),
    "published": lambda: _("Your petition is published: %(title)s"),
    "rejected": lambda: _("Your petition was not published: %(title)s"),
    "sent_back": lambda: _("Your petition needs changes: %(title)s"),
}


def proposal_mail(supporter: Supporter, kind: str, reason: str = "") -> EmailMessage | None:
    """The message of this kind for this person, as things stand when it is sent; None if it no longer applies."""
    if kind not in SUBJECTS:
        raise ValueError(f"no proposal mail of kind {kind!r}")
    if kind.startswith("confirm_") and supporter.confirmed_at is not None:
        return None
    proposal = supporter.proposal
    petition = proposal.petition
    with translation.override(supporter.language):
        context = {
            "name": crypto.decrypt(petition.pk, "name", supporter.name_encrypted),
            "title": petition.title,
            "organisation": petition.organization.name,
            "reason": reason,
            "confirm_url": _address("proposal_confirm", make_token("confirm", supporter.pk)),
            "manage_url": _address("proposal", make_token("manage", supporter.pk)),
            "support_url": _address("support", proposal.key),
            "petition_url": petition_address(petition),
            "needed": supporters_needed(proposal) if kind == "collect" else 0,
            "confirm_days": settings.CONFIRM_TOKEN_MAX_AGE_DAYS,
        }
        subject = SUBJECTS[kind]() % {"title": petition.title}
        body = render_to_string(f"proposals/email/{kind}.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[crypto.decrypt(petition.pk, "email", supporter.email_encrypted)],
        headers={"Auto-Submitted": "auto-generated"},
    )


def _address(view: str, value: str) -> str:
    return settings.SITE_URL + reverse(view, args=[value])
