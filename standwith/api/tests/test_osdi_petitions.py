import pytest

from standwith.api.models import Scope
from standwith.api.tests.test_osdi_auth import osdi_fixture, path_of  # noqa: F401
from standwith.campaigns.models import Organization, Petition
from standwith.signing import counting

pytestmark = pytest.mark.django_db


def other_petition(slug: str, owner: Organization, state: str = Petition.State.OPEN) -> Petition:
    return Petition.objects.create(organization=owner, slug=slug, title=slug, summary="s", body="b", state=state)


def test_it_lists_the_organisations_petitions_and_those_it_partners_on(osdi, petition, organization):
    stranger = Organization.objects.create(slug="stranger", name="Stranger")
    partnered = other_petition("partnered", stranger)
    partnered.partners.add(organization)
    other_petition("not-ours", stranger)
    other_petition("a-draft", organization, Petition.State.DRAFT)

    data = osdi("/petitions").json()

    slugs = [item["identifiers"][0] for item in data["_embedded"]["osdi:petitions"]]
    assert sorted(slugs) == ["standwith:free-them", "standwith:partnered"]
    assert data["total_records"] == 2
    assert [link["href"] for link in data["_links"]["osdi:petitions"]] == [
        item["_links"]["self"]["href"] for item in data["_embedded"]["osdi:petitions"]
    ]


def test_it_describes_a_petition_with_its_stored_count(osdi, petition):
    counting.add(petition.pk, 17)

    data = osdi(f"/petitions/{petition.slug}").json()

    assert data["identifiers"] == ["standwith:free-them"]
    assert data["origin_system"] == "standwith"
    assert data["title"] == "Free them"
    assert data["summary"] == "Two young men are in danger."
    assert data["petition_text"] == "They were **detained**."
    assert data["browser_url"].endswith("/p/free-them/")
    assert data["target"] == [{"name": "A. President"}]
    assert data["total_signatures"] == 17
    assert data["created_date"].endswith("Z")
    assert set(data["_links"]) == {"curies", "self", "osdi:signatures", "osdi:record_signature_helper"}


def test_every_link_of_a_petition_resolves(osdi, petition):
    links = osdi(f"/petitions/{petition.slug}").json()["_links"]

    assert osdi(path_of(links["self"]["href"])).status_code == 200
    assert osdi(path_of(links["osdi:signatures"]["href"])).status_code == 200
    helper = osdi(path_of(links["osdi:record_signature_helper"]["href"]), json={"person": {}})
    assert helper.status_code == 422  # there, taking posts


@pytest.mark.parametrize("scope", [Scope.READ_STATISTICS, Scope.RECORD_SIGNATURES])
def test_it_lets_either_non_personal_scope_read_petitions(osdi, petition, scope):
    assert osdi("/petitions", scope).status_code == 200
    assert osdi(f"/petitions/{petition.slug}", scope).status_code == 200


def test_it_links_only_what_the_token_can_follow(osdi, petition):
    links = osdi(f"/petitions/{petition.slug}", Scope.READ_STATISTICS).json()["_links"]

    assert "osdi:signatures" not in links
    assert "osdi:record_signature_helper" not in links


def test_it_refuses_petitions_to_a_token_with_only_people_read(osdi, petition):
    for path in ["/petitions", f"/petitions/{petition.slug}"]:
        response = osdi(path, Scope.READ_PERSONAL_DATA)
        assert response.status_code == 403
        assert response.json()["error"] == "insufficient_scope"


def test_it_answers_404_for_a_petition_of_another_organisation_or_a_draft(osdi, petition):
    other_petition("not-ours", Organization.objects.create(slug="stranger", name="Stranger"))
    other_petition("a-draft", petition.organization, Petition.State.DRAFT)

    for slug in ["not-ours", "a-draft", "no-such-thing"]:
        response = osdi(f"/petitions/{slug}")
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


@pytest.mark.parametrize("slug", ["a%00b", "x" * 101, "semi;colon", "%E2%98%83"])
def test_it_refuses_a_malformed_petition_id_with_4xx_json(osdi, petition, slug):
    response = osdi(f"/petitions/{slug}")

    assert 400 <= response.status_code < 500
    assert "error" in response.json()
