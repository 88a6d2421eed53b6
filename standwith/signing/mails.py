"""The emails a signer receives about their signature."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from standwith.campaigns.content import localise
from standwith.signing import crypto, referrals
from standwith.signing.models import Signature
from standwith.signing.rights import manage_url
from standwith.signing.tokens import make_confirm_token


def signature_mail(signature: Signature, kind: str) -> EmailMultiAlternatives | None:
    """The message for a first ("signed") or repeat ("signed_again") signature, if one is due.

    What it says is decided when it is sent, from the signature as it is then:
    a confirmation link while the address is unconfirmed, else a link to share.
    """
    if signature.state not in (Signature.State.PENDING, Signature.State.VALIDATED):
        return None
    if signature.erased_at is not None:
        return None  # no address left to write to (erased, or its petition's key destroyed)
    if kind == "signed" and signature.confirmed_at is not None:
        return None
    petition = signature.petition
    title = localise([petition], signature.language, petition.language)[0].title
    with translation.override(signature.language):
        confirm_url = None
        if signature.confirmed_at is None:
            token = make_confirm_token(petition.pk, signature.pk)
            confirm_url = settings.SITE_URL + reverse("confirm", args=[petition.slug, token])
        context = {
            "petition": petition,
            "title": title,
            "name": crypto.decrypt(petition.pk, "name", signature.name_encrypted),
            "confirm_url": confirm_url,
            # Once the address is confirmed, the signer's own link, so the people it brings are counted as theirs.
            "share_url": None if confirm_url else referrals.share_link(signature),
            "again": kind == "signed_again",
            "language": signature.language,
            "counts_at_once": signature.state == Signature.State.VALIDATED and signature.confirmed_at is None,
            # Every mail to a signer carries their own link to see, change, download, withdraw or erase it.
            "manage_url": manage_url(petition.slug, petition.pk, signature.pk, signature.language),
        }
        if confirm_url:
            subject = _("Please confirm your signature: %(title)s") % {"title": title}
        else:
            subject = _("You have already signed: %(title)s") % {"title": title}
        text = render_to_string("signing/email/signature.txt", context)
        html = render_to_string("signing/email/signature.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[crypto.decrypt(petition.pk, "email", signature.email_encrypted)],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message
