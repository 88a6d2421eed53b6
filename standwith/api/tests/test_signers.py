import datetime

import pytest

from standwith.api.models import Scope
from standwith.api.tests.conftest import bearer, stored_signature
from standwith.signing.models import Signature
from standwith.staff.models import AuditRecord

pytestmark = pytest.mark.django_db

URL = "/api/v1/organization/petitions/free-them/signatures"
T0 = datetime.datetime(2026, 11, 1, 12, tzinfo=datetime.UTC)


def signed_at(petition, email: str, minutes: int, **fields) -> Signature:
    return stored_signature(petition, email, created_at=T0 + datetime.timedelta(minutes=minutes), **fields)


def reads() -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action="api.personal_data_read").order_by("pk"))


def test_it_lists_signers_newest_first_with_their_data_decrypted(client, petition, secret, api_post):
    api_post(
        URL,
        {
            "name": "Салех Магамадов",
            "email": "Salekh@Example.org",
            "country": "RU",
            "postcode": "364000",
            "consent_campaign_updates": True,
            "source": "stall",
        },
        secret,
    )
    older = signed_at(petition, "old@example.org", 0)

    response = client.get(URL, headers=bearer(secret))

    assert response.status_code == 200
    data = response.json()
    assert (data["page"], data["per_page"], data["total_pages"], data["total_records"]) == (1, 25, 1, 2)
    newest, oldest = data["items"]
    assert oldest["id"] == older.pk
    assert newest == {
        "id": Signature.objects.get(channel="api").pk,
        "name": "Салех Магамадов",
        "email": "Salekh@example.org",
        "country": "RU",
        "postcode": "364000",
        "language": "en",
        "state": "pending",
        "channel": "api",
        "vouched": False,
        "source": "stall",
        "consent_campaign_updates": True,
        "consent_org_updates": False,
        "show_name_publicly": False,
        "created_at": newest["created_at"],
        "confirmed_at": None,
    }
    assert oldest["email"] == "old@example.org"
    assert oldest["postcode"] == ""


def test_it_orders_signers_of_the_same_moment_by_id(client, petition, secret):
    first = signed_at(petition, "a@example.org", 0)
    second = signed_at(petition, "b@example.org", 0)

    ids = [item["id"] for item in client.get(URL, headers=bearer(secret)).json()["items"]]

    assert ids == [second.pk, first.pk]


def test_it_filters_by_state(client, petition, secret):
    signed_at(petition, "a@example.org", 0)
    pending = signed_at(petition, "b@example.org", 1, state="pending")

    items = client.get(URL, {"state": "pending"}, headers=bearer(secret)).json()["items"]

    assert [item["id"] for item in items] == [pending.pk]


def test_it_refuses_an_unknown_state(client, petition, secret):
    response = client.get(URL, {"state": "deleted"}, headers=bearer(secret))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "state"


def test_it_pages_through_signers(client, petition, secret):
    made = [signed_at(petition, f"s{n}@example.org", n) for n in range(5)]

    pages = [client.get(URL, {"per_page": 2, "page": n}, headers=bearer(secret)).json() for n in (1, 2, 3, 4)]

    assert [[item["id"] for item in page["items"]] for page in pages] == [
        [made[4].pk, made[3].pk],
        [made[2].pk, made[1].pk],
        [made[0].pk],
        [],
    ]
    assert {(page["total_pages"], page["total_records"]) for page in pages} == {(3, 5)}


@pytest.mark.parametrize("query", [{"page": 0}, {"per_page": 101}, {"per_page": 0}, {"page": "x"}])
def test_it_refuses_a_page_out_of_range(client, petition, secret, query):
    response = client.get(URL, query, headers=bearer(secret))

    assert response.status_code == 422
    assert reads() == []


def test_it_shows_only_this_petitions_signers(client, petition, instant_petition, secret):
    stored_signature(instant_petition, "elsewhere@example.org")

    assert client.get(URL, headers=bearer(secret)).json()["items"] == []


def test_it_audits_every_read_naming_the_signatures_shown(client, petition, make_token):
    token, secret = make_token([Scope.READ_PERSONAL_DATA])
    made = [signed_at(petition, f"s{n}@example.org", n) for n in range(3)]

    client.get(URL, {"per_page": 2}, headers=bearer(secret))
    client.get(URL, {"per_page": 2, "page": 2}, headers=bearer(secret))

    first, second = reads()
    assert first.details == {"petition": "free-them", "signatures": [made[2].pk, made[1].pk]}
    assert second.details == {"petition": "free-them", "signatures": [made[0].pk]}
    assert (first.object_type, first.object_id) == ("api.apitoken", str(token.pk))
    assert first.actor is None


def test_it_audits_a_read_that_found_nobody(client, petition, secret):
    client.get(URL, headers=bearer(secret))

    assert [record.details["signatures"] for record in reads()] == [[]]


def test_it_is_never_cached(client, petition, secret):
    response = client.get(URL, headers=bearer(secret))

    assert "public" not in response.get("Cache-Control", "")
    assert not response.has_header("ETag")


class TestOneSigner:
    def test_it_shows_one_signer_and_audits_it(self, client, petition, secret, organization):
        signature = signed_at(petition, "ada@example.org", 0, country="FR")
        Signature.objects.filter(pk=signature.pk).update(vouched_by=organization, confirmed_at=T0)

        response = client.get(f"{URL}/{signature.pk}", headers=bearer(secret))

        assert response.status_code == 200
        data = response.json()
        assert (data["id"], data["email"], data["name"], data["country"]) == (
            signature.pk,
            "ada@example.org",
            "ada",
            "FR",
        )
        assert data["vouched"] is True
        assert data["confirmed_at"].startswith("2026-11-01T12:00:00")
        assert [record.details["signatures"] for record in reads()] == [[signature.pk]]

    def test_it_answers_404_for_another_petitions_signer_and_audits_nothing(
        self, client, petition, instant_petition, secret
    ):
        elsewhere = stored_signature(instant_petition, "elsewhere@example.org")

        response = client.get(f"{URL}/{elsewhere.pk}", headers=bearer(secret))

        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
        assert reads() == []

    def test_it_answers_404_for_an_id_nobody_has(self, client, petition, secret):
        assert client.get(f"{URL}/999999", headers=bearer(secret)).status_code == 404

    @pytest.mark.parametrize("signature_id", ["0", "-1", "9" * 30, str(2**62 + 1), "abc", "1.5"])
    def test_it_refuses_an_id_that_cannot_be_one(self, client, petition, secret, signature_id):
        response = client.get(f"{URL}/{signature_id}", headers=bearer(secret))

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "signature_id"
