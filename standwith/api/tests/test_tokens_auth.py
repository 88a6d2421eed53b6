from datetime import timedelta

import pytest
from django.utils import timezone

from standwith.api import services
from standwith.api.models import ApiToken, Scope
from standwith.api.tests.conftest import bearer
from standwith.conftest import data_statements
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db

STATISTICS = "/api/v1/organization/petitions/free-them/statistics"
SIGNATURES = "/api/v1/organization/petitions/free-them/signatures"
ONE_SIGNER = "/api/v1/organization/petitions/free-them/signatures/1"
SIGNER = {"name": "Ada Lovelace", "email": "ada@example.org", "country": "GB"}


def call(client, method: str, path: str, headers: dict[str, str]):
    if method == "post":
        return client.post(path, SIGNER, content_type="application/json", headers=headers)
    return client.get(path, headers=headers)


ENDPOINTS = [("get", STATISTICS), ("post", SIGNATURES), ("get", SIGNATURES), ("get", ONE_SIGNER)]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer garbage"},
        {"Authorization": "Bearer sw_" + "A" * 43},  # shaped like a token, made up
        {"Authorization": "Bearer sw_" + "A" * 500},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer sw_\u00e9\u00e9"},
    ],
)
def test_it_refuses_a_request_without_a_valid_token(client, petition, method, path, headers):
    response = call(client, method, path, headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="standwith"'
    assert response["Cache-Control"] == "no-store"
    assert response.json()["error"] == "unauthenticated"
    assert Signature.objects.count() == 0


def test_it_refuses_a_token_that_differs_from_a_real_one_by_one_character(client, petition, secret):
    forged = secret[:-1] + ("A" if secret[-1] != "A" else "B")

    assert client.get(STATISTICS, headers=bearer(forged)).status_code == 401
    assert client.get(STATISTICS, headers=bearer(secret)).status_code == 200


def test_it_refuses_a_revoked_token(client, petition, make_token, token_admin):
    token, secret = make_token()
    services.revoke_token(token_admin, token, client_ip=None)

    response = client.get(STATISTICS, headers=bearer(secret))

    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_it_keeps_only_a_digest_of_the_secret(make_token):
    token, secret = make_token()

    assert not ApiToken.objects.filter(hint=secret).exists()
    assert secret.encode() not in bytes(token.digest)
    assert token.hint == secret[:8]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_it_answers_404_not_403_for_another_organisations_petition(
    client, petition, make_token, other_organization, method, path
):
    _, secret = make_token(organization=other_organization)

    response = call(client, method, path, bearer(secret))

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert Signature.objects.count() == 0


class TestPartnerOrganisation:
    @pytest.fixture
    def partner_secret(self, petition, make_token, other_organization) -> str:
        petition.partners.add(other_organization)
        secret: str = make_token(organization=other_organization)[1]
        return secret

    def test_it_lets_a_partner_read_the_figures(self, client, partner_secret):
        assert client.get(STATISTICS, headers=bearer(partner_secret)).status_code == 200

    def test_it_lets_a_partner_record_signatures_without_telling_their_ids(self, client, partner_secret):
        response = call(client, "post", SIGNATURES, bearer(partner_secret))

        assert response.status_code == 202
        assert response.json() == {"recorded": 1, "signature_ids": None}
        assert Signature.objects.count() == 1

    def test_it_never_shows_a_partner_the_signers(self, client, partner_secret, petition):
        call(client, "post", SIGNATURES, bearer(partner_secret))
        signature = Signature.objects.get()

        listing = client.get(SIGNATURES, headers=bearer(partner_secret))
        one = client.get(f"{SIGNATURES}/{signature.pk}", headers=bearer(partner_secret))

        assert (listing.status_code, one.status_code) == (404, 404)


@pytest.mark.parametrize(
    ("method", "path", "needed"),
    [
        ("get", STATISTICS, Scope.READ_STATISTICS),
        ("post", SIGNATURES, Scope.RECORD_SIGNATURES),
        ("get", SIGNATURES, Scope.READ_PERSONAL_DATA),
        ("get", ONE_SIGNER, Scope.READ_PERSONAL_DATA),
    ],
)
def test_it_refuses_a_token_without_the_scope_with_403(client, petition, make_token, method, path, needed):
    _, secret = make_token([scope for scope in Scope.values if scope != needed])

    response = call(client, method, path, bearer(secret))

    assert response.status_code == 403
    assert response.json()["error"] == "insufficient_scope"
    assert needed in response.json()["detail"]
    assert Signature.objects.count() == 0


def test_it_checks_the_scope_before_the_petition(client, make_token, db):
    _, secret = make_token([Scope.READ_STATISTICS])

    response = client.get("/api/v1/organization/petitions/no-such-one/signatures", headers=bearer(secret))

    assert response.status_code == 403


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_it_never_reaches_a_draft(client, petition, secret, method, path):
    petition.state = "draft"
    petition.save()

    assert call(client, method, path, bearer(secret)).status_code == 404
    assert Signature.objects.count() == 0


@pytest.mark.parametrize("state", ["pending", "rejected", "closed", "archived"])
def test_it_lets_an_organisation_read_its_figures_in_any_state_but_draft(client, petition, secret, state):
    petition.state = state
    petition.save()

    assert client.get(STATISTICS, headers=bearer(secret)).status_code == 200


class TestLastUsed:
    def test_it_notes_when_a_token_was_first_used(self, client, petition, make_token):
        token, secret = make_token()
        assert token.last_used_at is None

        client.get(STATISTICS, headers=bearer(secret))

        token.refresh_from_db()
        assert timezone.now() - token.last_used_at < timedelta(seconds=10)

    def test_it_writes_it_at_most_once_a_minute(self, client, petition, make_token):
        token, secret = make_token()
        recently = timezone.now() - timedelta(seconds=50)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=recently)

        client.get(STATISTICS, headers=bearer(secret))

        token.refresh_from_db()
        assert token.last_used_at == recently

    def test_it_writes_it_again_after_a_minute(self, client, petition, make_token):
        token, secret = make_token()
        earlier = timezone.now() - timedelta(seconds=61)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)

        client.get(STATISTICS, headers=bearer(secret))

        token.refresh_from_db()
        assert token.last_used_at > earlier + timedelta(seconds=50)

    def test_it_costs_no_write_for_a_token_used_a_moment_ago(self, client, petition, secret):
        client.get(STATISTICS, headers=bearer(secret))

        with data_statements() as statements:
            client.get(STATISTICS, headers=bearer(secret))

        assert not [sql for sql in statements if sql.startswith("UPDATE") and "api_apitoken" in sql]
        assert any("api_apitoken" in sql for sql in statements)  # it was looked up


class TestRateLimit:
    def test_it_refuses_a_token_over_its_limit_with_429_and_retry_after(self, client, petition, secret, settings):
        settings.API_TOKEN_LIMIT = (2, 60)
        for _ in range(2):
            assert client.get(STATISTICS, headers=bearer(secret)).status_code == 200

        response = client.get(STATISTICS, headers=bearer(secret))

        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= 60
        assert response.json()["error"] == "rate_limited"
        assert response["Cache-Control"] == "no-store"

    def test_it_counts_each_token_on_its_own(self, client, petition, make_token, settings):
        settings.API_TOKEN_LIMIT = (1, 60)
        _, first = make_token()
        _, second = make_token()
        client.get(STATISTICS, headers=bearer(first))

        assert client.get(STATISTICS, headers=bearer(first)).status_code == 429
        assert client.get(STATISTICS, headers=bearer(second)).status_code == 200

    def test_it_records_nothing_over_the_limit(self, client, petition, secret, settings):
        settings.API_TOKEN_LIMIT = (1, 60)
        client.get(STATISTICS, headers=bearer(secret))

        response = call(client, "post", SIGNATURES, bearer(secret))

        assert response.status_code == 429
        assert Signature.objects.count() == 0

    def test_it_does_not_count_requests_without_a_valid_token(self, client, petition, secret, settings):
        settings.API_TOKEN_LIMIT = (1, 60)
        for _ in range(3):
            client.get(STATISTICS, headers=bearer(secret[:-2]))

        assert client.get(STATISTICS, headers=bearer(secret)).status_code == 200
