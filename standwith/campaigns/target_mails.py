"""What a petition's targets receive at its milestones, and the signed link they can answer through."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import ngettext

from standwith.campaigns.content import localise
from standwith.campaigns.markup import render_markdown
from standwith.campaigns.models import Milestone, Target
from standwith.campaigns.sharing import petition_address
from standwith.signing.counting import stored_count
from standwith.signing.tokens import make_pair_token, read_pair_token

_SALT = "standwith.campaigns.respond"
# A decision-maker's office may take months to answer; the link outlives most petitions.
RESPOND_LINK_DAYS = 365


def make_respond_token(petition_id: int, target_id: int) -> str:
    return make_pair_token(_SALT, petition_id, target_id)


def read_respond_token(token: str) -> tuple[int, int]:
    """The (petition id, target id) the link was made for."""
    return read_pair_token(_SALT, token, timedelta(days=RESPOND_LINK_DAYS))


def target_milestone_mail(milestone: Milestone, target: Target) -> EmailMultiAlternatives:
    """The petition as its target reads it: in the petition's own language, with today's exact count."""
    petition = milestone.petition
    language = petition.language
    shown_petition, shown_target = (
        localise([petition], language, language)[0],
        localise([target], language, language)[0],
    )
    count = stored_count(petition.pk)
    with translation.override(language):
        signed = formats.number_format(count, force_grouping=True)
        respond_path = reverse("respond", args=[make_respond_token(petition.pk, target.pk)])
        context = {
            "target": shown_target,
            "petition": shown_petition,
            "organisation": petition.organization.name,
            "count": count,
            "signed": signed,
            "page_url": petition_address(petition),
            "respond_url": settings.SITE_URL + respond_path,
        }
        subject = ngettext(
            "%(signed)s person has signed “%(title)s”",
            "%(signed)s people have signed “%(title)s”",
            count,
        ) % {"signed": signed, "title": shown_petition.title}
        text = render_to_string("campaigns/email/target_milestone.txt", context)
        html = render_to_string(
            "campaigns/email/target_milestone.html", {**context, "body": render_markdown(shown_petition.body)}
        )
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[target.email], headers={"Auto-Submitted": "auto-generated"}
    )
    message.attach_alternative(html, "text/html")
    return message
