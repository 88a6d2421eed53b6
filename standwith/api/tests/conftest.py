"""Tokens and requests made as an organisation's program would make them."""

import datetime
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from standwith.api import services
from standwith.api.models import ApiToken, Scope
from standwith.campaigns.models import Organization, Petition
from standwith.signing import crypto, digests
from standwith.signing.models import Signature

ALL_SCOPES = tuple(Scope.values)

MakeToken = Callable[..., tuple[ApiToken, str]]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def token_admin(db: None) -> User:
    return User.objects.create_superuser("token-admin", "admin@example.org", "unused-password-1")


@pytest.fixture
def make_token(organization: Organization, token_admin: User) -> MakeToken:
    """A new token of `organization` (the petition's own, unless another is given) and its secret."""

    def make(scopes: Sequence[str] = ALL_SCOPES, organization: Organization = organization) -> tuple[ApiToken, str]:
        return services.create_token(token_admin, organization, "Test sync", scopes, client_ip=None)

    return make


@pytest.fixture
def secret(make_token: MakeToken) -> str:
    """The secret of a token of the petition's organisation holding every scope."""
    return make_token()[1]


@pytest.fixture
def api_post(client: Client) -> Callable[..., Any]:
    """POST a JSON body with a token, as an organisation's program would."""

    def post(path: str, body: Any, secret: str, **headers: str) -> Any:
        return client.post(path, body, content_type="application/json", headers={**bearer(secret), **headers})

    return post


@pytest.fixture
def other_organization(db: None) -> Organization:
    return Organization.objects.create(slug="amnesty", name="Amnesty")


def stored_signature(
    petition: Petition,
    email: str,
    *,
    country: str = "GB",
    state: str = Signature.State.VALIDATED,
    created_at: datetime.datetime | None = None,
) -> Signature:
    """A signature written straight to the table, for figures that depend on when and where people signed."""
    when = created_at or timezone.now()
    return Signature.objects.create(
        petition=petition,
        email_digest=digests.email_digest(petition.pk, email),
        email_encrypted=crypto.encrypt(petition.pk, "email", email),
        name_encrypted=crypto.encrypt(petition.pk, "name", email.split("@")[0]),
        country=country,
        state=state,
        created_at=when,
        validated_at=when if state == Signature.State.VALIDATED else None,
    )
