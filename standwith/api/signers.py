"""Signers in and out of the API: checked exactly as the web form checks them, and shown to those allowed."""

from collections.abc import Sequence
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from standwith.api import errors, services
from standwith.api.models import ApiToken, Scope
from standwith.api.schemas import SignatureIn
from standwith.campaigns.models import Petition
from standwith.signing import crypto
from standwith.signing.forms import SignForm
from standwith.signing.models import Signature
from standwith.signing.services import PetitionNotOpen, Signer, SigningPaused


def signers_from(entries: Sequence[SignatureIn], petition: Petition, organization_id: int) -> list[Signer]:
    """The signers, or a 422 naming every field the web form would refuse (as `signatures.<i>.<field>`)."""
    signers, problems = [], []
    for index, entry in enumerate(entries):
        data = QueryDict(mutable=True)
        for name in ("name", "email", "country", "postcode", "source"):
            data[name] = getattr(entry, name)
        for name in ("consent_campaign_updates", "consent_org_updates", "show_name_publicly"):
            if getattr(entry, name):
                data[name] = "on"
        form = SignForm(data)
        if not form.is_valid():
            prefix = f"signatures.{index}." if len(entries) > 1 else ""
            problems += [
                {"field": prefix + field, "problem": str(message)}
                for field, messages in form.errors.items()
                for message in messages
            ]
            continue
        clean = form.cleaned_data
        signers.append(
            Signer(
                name=clean["name"],
                email=clean["email"],
                country=clean["country"],
                postcode=clean["postcode"],
                consent_campaign_updates=clean["consent_campaign_updates"],
                consent_org_updates=clean["consent_org_updates"],
                show_name_publicly=clean["show_name_publicly"],
                language=entry.language or petition.language,
                source=clean["source"],
                vouched_by=organization_id if entry.verified_offline else None,
            )
        )
    if problems:
        raise errors.invalid(problems)
    return signers


def signer_out(petition: Petition, signature: Signature) -> dict[str, Any]:
    """One signer with their personal data, decrypted here and only here."""
    return {
        "id": signature.pk,
        # Blank once erased, by the signer, by retention or by an emergency erase of the petition's key.
        "name": crypto.decrypt_or_blank(petition.pk, "name", signature.name_encrypted),
        "email": crypto.decrypt_or_blank(petition.pk, "email", signature.email_encrypted),
        "country": signature.country,
        "postcode": crypto.decrypt_or_blank(petition.pk, "postcode", signature.postcode_encrypted),
        "language": signature.language,
        "state": signature.state,
        "channel": signature.channel,
        "vouched": signature.vouched_by_id is not None,
        "source": signature.source,
        "consent_campaign_updates": signature.consent_campaign_updates,
        "consent_org_updates": signature.consent_org_updates,
        "show_name_publicly": signature.show_name_publicly,
        "created_at": signature.created_at,
        "confirmed_at": signature.confirmed_at,
    }


def record(token: ApiToken, petition: Petition, signers: Sequence[Signer]) -> list[int]:
    """Record the signers through the one write path, answering its refusals as the API does."""
    try:
        return services.record_signatures(token, petition, signers)
    except services.CannotVouch:
        raise errors.ApiError(
            403,
            "cannot_vouch",
            _("Your organisation may not vouch for signers checked offline. Ask the site's admins."),
        ) from None
    except PetitionNotOpen:
        raise errors.ApiError(409, "petition_closed", _("This petition does not take signatures.")) from None
    except SigningPaused:
        raise errors.ApiError(
            503, "signing_paused", _("Signing is paused for a short while."), {"Retry-After": "300"}
        ) from None


def may_see_ids(token: ApiToken, petition: Petition) -> bool:
    """Whether the token may learn which signature a signer has: only one that could read them anyway."""
    return Scope.READ_PERSONAL_DATA in token.scopes and petition.organization_id == token.organization_id
