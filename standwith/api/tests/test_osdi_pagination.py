from urllib.parse import parse_qs, urlsplit

import pytest

from standwith.api.tests.test_osdi_auth import add_signers, osdi_fixture, path_of  # noqa: F401

pytestmark = pytest.mark.django_db


def test_an_empty_collection_has_an_empty_embedded_list(osdi, petition):
    data = osdi("/people").json()

    assert data["_embedded"] == {"osdi:people": []}
    assert (data["page"], data["per_page"], data["total_pages"], data["total_records"]) == (1, 25, 0, 0)
    assert "next" not in data["_links"]
    assert "previous" not in data["_links"]


def test_exactly_one_full_page_has_no_next_link(osdi, petition):
    add_signers(petition, 3)

    data = osdi("/people", per_page=3).json()

    assert len(data["_embedded"]["osdi:people"]) == 3
    assert data["total_pages"] == 1
    assert "next" not in data["_links"]


def test_the_last_page_links_back_but_not_on(osdi, petition):
    add_signers(petition, 5)

    first = osdi("/people", per_page=2).json()
    last = osdi("/people", page=3, per_page=2).json()

    assert parse_qs(urlsplit(first["_links"]["next"]["href"]).query) == {"page": ["2"], "per_page": ["2"]}
    assert len(last["_embedded"]["osdi:people"]) == 1
    assert "next" not in last["_links"]
    assert osdi(path_of(last["_links"]["previous"]["href"])).json()["page"] == 2


def test_a_page_past_the_end_is_empty_with_the_true_totals(osdi, petition):
    add_signers(petition, 3)

    data = osdi("/people", page=7, per_page=2).json()

    assert data["_embedded"] == {"osdi:people": []}
    assert (data["page"], data["total_pages"], data["total_records"]) == (7, 2, 3)


def test_it_takes_the_dollar_spelling_of_the_parameters(osdi, petition):
    add_signers(petition, 3)

    data = osdi("/people", **{"$page": 2, "$per_page": 2}).json()

    assert (data["page"], data["per_page"], len(data["_embedded"]["osdi:people"])) == (2, 2, 1)


@pytest.mark.parametrize(
    "query",
    [{"per_page": 101}, {"per_page": 0}, {"page": 0}, {"page": "x"}, {"per_page": "1e3"}, {"page": 10**30}],
)
def test_it_refuses_bad_paging_with_422(osdi, petition, query):
    response = osdi("/petitions", **query)

    assert response.status_code == 422
    assert response.json()["error"] == "invalid"


def test_a_client_walking_pages_as_parsons_does_gets_every_record_once(osdi, petition):
    ids = add_signers(petition, 7)
    seen, page = [], 1

    while True:  # Parsons' loop: ask for the next page until one comes back empty
        batch = osdi(f"/petitions/{petition.slug}/signatures", page=page, per_page=3).json()
        if not batch["_embedded"]["osdi:signatures"]:
            break
        seen += [item["identifiers"][0] for item in batch["_embedded"]["osdi:signatures"]]
        page += 1

    assert sorted(seen) == sorted(f"standwith:{i}" for i in ids)
    assert len(seen) == len(set(seen)) == 7


def test_a_client_following_next_links_gets_every_record_once(osdi, petition):
    ids = add_signers(petition, 5)
    seen, path = [], "/people?per_page=2"

    while path:
        batch = osdi(path).json()
        seen += [item["identifiers"][0] for item in batch["_embedded"]["osdi:people"]]
        path = path_of(batch["_links"]["next"]["href"]) if "next" in batch["_links"] else None

    assert sorted(seen) == sorted(f"standwith:{i}" for i in ids)
