"""Who may call the OSDI API, and the helpers the other OSDI test files share."""

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from standwith.api import services
from standwith.api.models import ApiToken, Scope
from standwith.api.schemas import SignatureIn
from standwith.api.signers import signers_from
from standwith.campaigns.models import Organization, Petition

pytestmark = pytest.mark.django_db

BASE = "/api/osdi/v1"
ALL_SCOPES = [Scope.READ_STATISTICS, Scope.RECORD_SIGNATURES, Scope.READ_PERSONAL_DATA]


def make_token(organization: Organization, *scopes: str) -> tuple[ApiToken, str]:
    actor, _ = User.objects.get_or_create(username="token-maker")
    return services.create_token(actor, organization, "CRM sync", list(scopes or ALL_SCOPES), client_ip=None)


def path_of(href: str) -> str:
    """The path the test client can fetch, from an absolute href the API gave."""
    assert href.startswith(settings.SITE_URL + BASE), href
    return href.removeprefix(settings.SITE_URL)


@pytest.fixture(name="osdi")
def osdi_fixture(client: Client, organization: Organization) -> Callable[..., Any]:
    """GET (or POST, with json=) an OSDI path with a token of the organisation, all scopes unless given."""
    secrets: dict[tuple[str, ...], str] = {}

    def call(path: str, *scopes: str, json: Any = None, headers: dict[str, str] | None = None, **query: Any) -> Any:
        key = tuple(scopes)
        if key not in secrets:
            secrets[key] = make_token(organization, *scopes)[1]
        sent = {"OSDI-API-Token": secrets[key], **(headers or {})}
        url = path if path.startswith(BASE) else BASE + path
        if json is not None:
            return client.post(url, json, content_type="application/json", headers=sent)
        return client.get(url, query, headers=sent)

    return call


def test_it_takes_the_token_in_the_osdi_header(client, organization, petition):
    _, secret = make_token(organization)

    response = client.get(f"{BASE}/petitions", headers={"OSDI-API-Token": secret})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/hal+json; charset=utf-8"


def test_it_takes_the_token_as_a_bearer_token(client, organization, petition):
    _, secret = make_token(organization)

    response = client.get(f"{BASE}/petitions", headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/petitions", "/petitions/free-them", "/people", "/people/1"])
@pytest.mark.parametrize("sent", [{}, {"OSDI-API-Token": "sw_not-a-token"}, {"OSDI-API-Token": "junk\x01"}])
def test_it_refuses_a_missing_or_unknown_token_with_401_json(client, petition, path, sent):
    response = client.get(BASE + path, headers=sent)

    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_it_refuses_a_revoked_token(client, organization, petition):
    token, secret = make_token(organization)
    services.revoke_token(User.objects.get(), token, client_ip=None)

    response = client.get(f"{BASE}/petitions", headers={"OSDI-API-Token": secret})

    assert response.status_code == 401


def test_it_refuses_a_helper_post_without_a_token(client, petition):
    response = client.post(
        f"{BASE}/petitions/{petition.slug}/record_signature_helper", {}, content_type="application/json"
    )

    assert response.status_code == 401


def add_signers(petition: Petition, count: int, start: int = 0, **fields: Any) -> list[int]:
    """Signatures recorded as the API records them; their ids, oldest first."""
    token, _ = make_token(petition.organization, Scope.RECORD_SIGNATURES)
    entries = [
        SignatureIn(name=f"Ada Byron Lovelace{n}", email=f"ada{n}@example.org", country="GB", **fields)
        for n in range(start, start + count)
    ]
    signers = signers_from(entries, petition, petition.organization_id)
    return [services.record_signatures(token, petition, [signer])[0] for signer in signers]
