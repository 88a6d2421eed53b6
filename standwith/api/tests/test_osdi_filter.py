import pytest

from standwith.api.tests.test_osdi_auth import add_signers, osdi_fixture  # noqa: F401
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db


def identifiers(data, rel="osdi:people"):
    return [item["identifiers"][0] for item in data["_embedded"][rel]]


@pytest.fixture
def old_and_new(petition):
    old, new = add_signers(petition, 2)
    Signature.objects.filter(pk=old).update(created_at="2020-01-01T00:00:00Z")
    Signature.objects.filter(pk=new).update(created_at="2024-06-01T00:00:00Z")
    return old, new


def test_it_filters_people_by_created_date(osdi, old_and_new):
    old, new = old_and_new

    assert identifiers(osdi("/people", filter="created_date gt '2023-01-01'").json()) == [f"standwith:{new}"]
    assert identifiers(osdi("/people", **{"$filter": "created_date lt '2023-01-01'"}).json()) == [f"standwith:{old}"]


def test_a_confirmation_counts_as_a_modification(osdi, petition, old_and_new):
    old, _ = old_and_new
    Signature.objects.filter(pk=old).update(confirmed_at="2025-01-01T00:00:00Z")

    data = osdi(f"/petitions/{petition.slug}/signatures", filter="modified_date gt '2024-12-31T23:00:00Z'").json()

    assert identifiers(data, "osdi:signatures") == [f"standwith:{old}"]


def test_it_combines_conditions_and_keeps_the_filter_in_page_links(osdi, old_and_new):
    text = "created_date gt '2019-01-01' and created_date lt '2030-01-01'"

    data = osdi("/people", filter=text, per_page=1).json()

    assert data["total_records"] == 2
    assert "filter=created_date" in data["_links"]["next"]["href"]


@pytest.mark.parametrize(
    "text",
    [
        "modified_date gt 2014-03-25",
        "name eq 'Ada'",
        "modified_date gt 'yesterday'",
        "modified_date ge '2014-01-01'",
        "'",
        "x" * 400,
    ],
)
def test_it_refuses_a_filter_it_does_not_understand_with_400(osdi, petition, text):
    response = osdi("/people", filter=text)

    assert response.status_code == 400
    assert response.json()["error"] == "bad_filter"


def test_it_filters_petitions_by_modified_date(osdi, petition):
    assert osdi("/petitions", filter="modified_date lt '2000-01-01'").json()["total_records"] == 0
    assert osdi("/petitions", filter="modified_date gt '2000-01-01'").json()["total_records"] == 1
