"""Organisation API tokens, and signatures recorded through the API."""

import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from standwith.api.auth import PREFIX, digest_of
from standwith.api.models import ApiToken, IdempotentRequest, Scope
from standwith.campaigns.models import Organization, Petition
from standwith.signing import services as signing
from standwith.signing.models import Signature
from standwith.staff import services as staff


class CannotVouch(Exception):
    """The organisation may not vouch for signers it checked offline (Organization.vouches_offline)."""


def create_token(
    actor: User, organization: Organization, name: str, scopes: Sequence[str], *, client_ip: str | None
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is shown once and never stored."""
    unknown = set(scopes) - set(Scope.values)
    if unknown or not scopes:
        raise ValueError(f"scopes must be some of {Scope.values}, got {sorted(scopes)}")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organization=organization,
        name=name,
        scopes=sorted(set(scopes)),
        digest=digest_of(secret),
        hint=secret[:8],
        created_by=actor,
    )
    staff.record(actor, "api_token.create", token, client_ip=client_ip, scopes=token.scopes)
    return token, secret


def revoke_token(actor: User, token: ApiToken, *, client_ip: str | None) -> None:
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    ):
        staff.record(actor, "api_token.revoke", token, client_ip=client_ip)


def record_signatures(token: ApiToken, petition: Petition, signers: Sequence[signing.Signer]) -> list[int]:
    """Sign for each signer, as the web form does, all or none; their signatures' ids, in order.

    Signers marked as vouched for are counted at once only if the token's organisation may vouch.
    """
    if any(signer.vouched_by is not None for signer in signers) and not token.organization.vouches_offline:
        raise CannotVouch
    recorded = [replace(signer, channel=Signature.Channel.API) for signer in signers]
    with transaction.atomic():
        return [signing.sign(petition, signer) for signer in recorded]


def audit_personal_data(
    token: ApiToken, petition: Petition, signature_ids: Sequence[int], *, client_ip: str | None
) -> None:
    """Every read of signers' personal data through the API leaves a line in the audit log."""
    staff.record(
        None,
        "api.personal_data_read",
        token,
        client_ip=client_ip,
        petition=petition.slug,
        signatures=list(signature_ids),
    )


def purge_idempotent_requests() -> int:
    """Forget answers kept for retries once no client should retry any more."""
    before = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    return IdempotentRequest.objects.filter(created_at__lt=before).delete()[0]
