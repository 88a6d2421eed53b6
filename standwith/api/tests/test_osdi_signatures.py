import pytest

from standwith.api.models import Scope
from standwith.api.tests.test_osdi_auth import add_signers, osdi_fixture, path_of  # noqa: F401
from standwith.campaigns.models import Organization, Petition
from standwith.signing.models import Signature
from standwith.staff.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_it_lists_a_petitions_signatures_newest_first(osdi, petition):
    first, second = add_signers(petition, 2)

    data = osdi(f"/petitions/{petition.slug}/signatures").json()

    items = data["_embedded"]["osdi:signatures"]
    assert [item["identifiers"] for item in items] == [[f"standwith:{second}"], [f"standwith:{first}"]]
    assert data["total_records"] == 2
    assert items[0]["origin_system"] == "standwith"
    assert items[0]["_links"]["osdi:person"]["href"].endswith(f"/api/osdi/v1/people/{second}")


def test_it_shows_one_signature_whose_links_all_resolve(osdi, petition):
    (signature_id,) = add_signers(petition, 1)

    response = osdi(f"/petitions/{petition.slug}/signatures/{signature_id}")

    assert response.status_code == 200
    data = response.json()
    assert data["identifiers"] == [f"standwith:{signature_id}"]
    for rel in ["self", "osdi:person", "osdi:petition"]:
        assert osdi(path_of(data["_links"][rel]["href"])).status_code == 200, rel


def test_it_uses_the_confirmation_as_the_modified_date(osdi, petition):
    (signature_id,) = add_signers(petition, 1)
    Signature.objects.filter(pk=signature_id).update(confirmed_at="2100-01-02T03:04:05Z")

    data = osdi(f"/petitions/{petition.slug}/signatures/{signature_id}").json()

    assert data["modified_date"] == "2100-01-02T03:04:05Z"
    assert data["created_date"] < data["modified_date"]


def test_it_leaves_out_withdrawn_and_invalidated_signatures(osdi, petition):
    kept, withdrawn, struck = add_signers(petition, 3)
    Signature.objects.filter(pk=withdrawn).update(state=Signature.State.WITHDRAWN)
    Signature.objects.filter(pk=struck).update(state=Signature.State.INVALIDATED)

    data = osdi(f"/petitions/{petition.slug}/signatures").json()

    assert [item["identifiers"] for item in data["_embedded"]["osdi:signatures"]] == [[f"standwith:{kept}"]]
    assert osdi(f"/petitions/{petition.slug}/signatures/{withdrawn}").status_code == 404


def test_it_audits_every_read(osdi, petition):
    ids = add_signers(petition, 2)

    osdi(f"/petitions/{petition.slug}/signatures")
    osdi(f"/petitions/{petition.slug}/signatures/{ids[0]}")

    reads = AuditRecord.objects.filter(action="api.personal_data_read").order_by("pk")
    assert [entry.details["signatures"] for entry in reads] == [ids[::-1], ids[:1]]


@pytest.mark.parametrize("scope", [Scope.READ_STATISTICS, Scope.RECORD_SIGNATURES])
def test_it_needs_people_read(osdi, petition, scope):
    (signature_id,) = add_signers(petition, 1)

    for path in [f"/petitions/{petition.slug}/signatures", f"/petitions/{petition.slug}/signatures/{signature_id}"]:
        response = osdi(path, scope)
        assert response.status_code == 403
        assert response.json()["error"] == "insufficient_scope"


def test_it_shows_no_signatures_of_a_partner_petition(osdi, organization):
    owner = Organization.objects.create(slug="owner", name="Owner")
    partnered = Petition.objects.create(
        organization=owner, slug="partnered", title="t", summary="s", body="b", state=Petition.State.OPEN
    )
    partnered.partners.add(organization)
    (signature_id,) = add_signers(partnered, 1)

    assert osdi("/petitions/partnered/signatures").status_code == 404
    assert osdi(f"/petitions/partnered/signatures/{signature_id}").status_code == 404


def test_it_answers_404_for_a_signature_of_another_petition(osdi, petition, instant_petition):
    (elsewhere,) = add_signers(instant_petition, 1)

    assert osdi(f"/petitions/{petition.slug}/signatures/{elsewhere}").status_code == 404


@pytest.mark.parametrize("signature_id", ["abc", "0", "-1", "99999999999999999999999", "1%00"])
def test_it_refuses_a_malformed_signature_id_with_4xx_json(osdi, petition, signature_id):
    response = osdi(f"/petitions/{petition.slug}/signatures/{signature_id}")

    assert 400 <= response.status_code < 500
    assert "error" in response.json()
