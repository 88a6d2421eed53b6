from datetime import timedelta

import pytest
from django.utils import timezone

from standwith.campaigns.models import Organization, Petition
from standwith.signing import counting

pytestmark = pytest.mark.django_db

URL = "/api/v1/petitions"


def make_petition(
    organization: Organization, slug: str, *, state: str = "open", days_ago: int = 0, **fields
) -> Petition:
    return Petition.objects.create(
        organization=organization,
        slug=slug,
        title=slug.replace("-", " ").title(),
        summary="Summary.",
        body="Body.",
        state=state,
        published_at=None if state == "draft" else timezone.now() - timedelta(days=days_ago),
        **fields,
    )


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["items"]]


def test_it_lists_public_petitions_newest_first(client, organization):
    make_petition(organization, "old", days_ago=3)
    make_petition(organization, "new", days_ago=1)
    make_petition(organization, "closed", state="closed", days_ago=2)
    make_petition(organization, "archived", state="archived", days_ago=4)

    response = client.get(URL)

    assert response.status_code == 200
    assert slugs(response) == ["new", "closed", "old", "archived"]


def test_it_never_lists_drafts_pending_or_rejected_petitions(client, organization):
    make_petition(organization, "shown")
    for state in ["draft", "pending", "rejected"]:
        make_petition(organization, f"hidden-{state}", state=state)

    data = client.get(URL).json()

    assert [item["slug"] for item in data["items"]] == ["shown"]
    assert data["total_records"] == 1


def test_it_filters_by_state(client, organization):
    make_petition(organization, "open-one")
    make_petition(organization, "closed-one", state="closed")

    assert slugs(client.get(URL, {"state": "closed"})) == ["closed-one"]
    assert slugs(client.get(URL, {"state": "open"})) == ["open-one"]


@pytest.mark.parametrize("state", ["draft", "pending", "rejected", "OPEN"])
def test_it_refuses_a_state_that_is_not_public(client, organization, state):
    make_petition(organization, "hidden", state="draft")

    response = client.get(URL, {"state": state})

    assert response.status_code == 422
    assert response.json()["error"] == "invalid"
    assert response.json()["errors"][0]["field"] == "state"


def test_it_filters_by_organisation(client, organization, other_organization):
    make_petition(organization, "ours")
    make_petition(other_organization, "theirs")

    assert slugs(client.get(URL, {"organization": "amnesty"})) == ["theirs"]
    assert slugs(client.get(URL, {"organization": "no-such-organisation"})) == []


def test_it_filters_by_language(client, organization):
    make_petition(organization, "english")
    make_petition(organization, "russian", language="ru")

    assert slugs(client.get(URL, {"language": "ru"})) == ["russian"]


@pytest.mark.parametrize("query", [{"organization": "a b"}, {"organization": "x" * 65}, {"language": "english!"}])
def test_it_refuses_a_filter_of_the_wrong_shape(client, query):
    response = client.get(URL, query)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == next(iter(query))


def test_it_shows_each_petitions_stored_count_and_organisation(client, organization):
    petition = make_petition(organization, "counted")
    counting.add(petition.pk, 42)

    (item,) = client.get(URL).json()["items"]

    assert item["signature_count"] == 42
    assert item["organization"] == {"slug": "all-out", "name": "All Out"}
    assert item["api_url"].endswith("/api/v1/petitions/counted")
    assert item["url"].endswith("/p/counted/")


def test_it_answers_page_one_of_nothing_with_empty_items(client, db):
    assert client.get(URL).json() == {"page": 1, "per_page": 25, "total_pages": 0, "total_records": 0, "items": []}


def test_it_fills_a_page_exactly(client, organization):
    for n in range(3):
        make_petition(organization, f"p{n}", days_ago=n)

    data = client.get(URL, {"per_page": 3}).json()

    assert slugs_of(data) == ["p0", "p1", "p2"]
    assert (data["total_pages"], data["total_records"]) == (1, 3)
    assert client.get(URL, {"per_page": 3, "page": 2}).json()["items"] == []


def slugs_of(data) -> list[str]:
    return [item["slug"] for item in data["items"]]


def test_it_walks_pages_without_skipping_or_repeating(client, organization):
    for n in range(5):
        make_petition(organization, f"p{n}", days_ago=n)

    pages = [client.get(URL, {"per_page": 2, "page": page}).json() for page in (1, 2, 3)]

    assert [slugs_of(page) for page in pages] == [["p0", "p1"], ["p2", "p3"], ["p4"]]
    assert {page["total_pages"] for page in pages} == {3}


def test_it_answers_a_page_past_the_end_with_no_items_and_the_true_totals(client, organization):
    for n in range(3):
        make_petition(organization, f"p{n}")

    data = client.get(URL, {"page": 9, "per_page": 2}).json()

    assert data == {"page": 9, "per_page": 2, "total_pages": 2, "total_records": 3, "items": []}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"page": 10_001}, "page"),
        ({"page": "two"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page": "9" * 40}, "page"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": 101}, "per_page"),
    ],
)
def test_it_refuses_a_page_out_of_range_in_json(client, db, query, field):
    response = client.get(URL, query)

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["error"] == "invalid"
    assert [problem["field"] for problem in data["errors"]] == [field]


def test_it_takes_the_largest_page_size(client, organization):
    make_petition(organization, "one")

    assert client.get(URL, {"per_page": 100}).json()["per_page"] == 100


def test_it_is_public_and_cacheable(client, organization):
    make_petition(organization, "one")

    response = client.get(URL)

    assert "public" in response["Cache-Control"]
    assert response["ETag"]


def test_it_lists_a_public_petition_without_a_publication_date_last_on_every_database(client, organization):
    undated = make_petition(organization, "undated")
    Petition.objects.filter(pk=undated.pk).update(published_at=None)
    make_petition(organization, "dated", days_ago=30)

    assert slugs(client.get(URL)) == ["dated", "undated"]
