import pytest

from standwith.api.models import Scope
from standwith.api.tests.test_osdi_auth import add_signers, osdi_fixture, path_of  # noqa: F401
from standwith.campaigns.models import Organization, Petition
from standwith.signing import crypto
from standwith.signing.models import Signature
from standwith.staff.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_it_shows_a_signer_as_a_person(osdi, petition):
    (person_id,) = add_signers(petition, 1, postcode="sw1a 1aa", language="ru")

    response = osdi(f"/people/{person_id}")

    assert response.status_code == 200
    data = response.json()
    assert data["identifiers"] == [f"standwith:{person_id}"]
    assert data["given_name"] == "Ada Byron"
    assert data["family_name"] == "Lovelace0"
    assert data["email_addresses"] == [{"address": "ada0@example.org", "primary": True, "status": "unsubscribed"}]
    assert data["postal_addresses"] == [{"postal_code": "SW1A 1AA", "country": "GB", "primary": True}]
    assert data["languages_spoken"] == ["ru"]
    assert osdi(path_of(data["_links"]["self"]["href"])).status_code == 200


def test_a_one_word_name_is_the_given_name_only(osdi, instant_petition):
    (person_id,) = add_signers(instant_petition, 1)
    Signature.objects.filter(pk=person_id).update(name_encrypted=crypto.encrypt(instant_petition.pk, "name", "Ada"))

    data = osdi(f"/people/{person_id}").json()

    assert data["given_name"] == "Ada"
    assert "family_name" not in data


def test_a_confirmed_signer_who_consented_is_subscribed(osdi, petition):
    consented, unconfirmed, no_consent = add_signers(petition, 3, consent_org_updates=True)
    Signature.objects.filter(pk__in=[consented, no_consent]).update(confirmed_at="2030-01-01T00:00:00Z")
    Signature.objects.filter(pk=no_consent).update(consent_org_updates=False)

    statuses = {
        pid: osdi(f"/people/{pid}").json()["email_addresses"][0]["status"]
        for pid in [consented, unconfirmed, no_consent]
    }

    assert statuses == {consented: "subscribed", unconfirmed: "unsubscribed", no_consent: "unsubscribed"}


def test_it_lists_signers_of_the_organisations_own_petitions_newest_first(
    osdi, petition, instant_petition, organization
):
    owner = Organization.objects.create(slug="owner", name="Owner")
    partnered = Petition.objects.create(
        organization=owner, slug="partnered", title="t", summary="s", body="b", state=Petition.State.OPEN
    )
    partnered.partners.add(organization)
    add_signers(partnered, 1, start=10)
    first = add_signers(petition, 1)
    second = add_signers(instant_petition, 1, start=1)

    data = osdi("/people").json()

    assert [p["identifiers"][0] for p in data["_embedded"]["osdi:people"]] == [
        f"standwith:{second[0]}",
        f"standwith:{first[0]}",
    ]
    audited = AuditRecord.objects.filter(action="api.personal_data_read")
    assert sorted(entry.details["petition"] for entry in audited) == ["count-at-once", "free-them"]


def test_it_answers_404_for_a_signer_of_another_organisations_petition(osdi):
    owner = Organization.objects.create(slug="owner", name="Owner")
    theirs = Petition.objects.create(
        organization=owner, slug="theirs", title="t", summary="s", body="b", state=Petition.State.OPEN
    )
    (person_id,) = add_signers(theirs, 1)

    assert osdi(f"/people/{person_id}").status_code == 404
    assert osdi("/people").json()["total_records"] == 0


@pytest.mark.parametrize("scope", [Scope.READ_STATISTICS, Scope.RECORD_SIGNATURES])
def test_it_needs_people_read(osdi, petition, scope):
    (person_id,) = add_signers(petition, 1)

    for path in ["/people", f"/people/{person_id}"]:
        assert osdi(path, scope).status_code == 403
    assert not AuditRecord.objects.filter(action="api.personal_data_read").exists()


@pytest.mark.parametrize("person_id", ["abc", "0", "4611686018427387905", "1%00", "1.5"])
def test_it_refuses_a_malformed_person_id_with_4xx_json(osdi, person_id):
    response = osdi(f"/people/{person_id}")

    assert 400 <= response.status_code < 500
    assert "error" in response.json()
