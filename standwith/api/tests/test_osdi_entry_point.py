import pytest

from standwith.api.tests.test_osdi_auth import BASE, osdi_fixture, path_of  # noqa: F401

pytestmark = pytest.mark.django_db


def test_it_answers_without_a_token_with_links_only(client):
    response = client.get(f"{BASE}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/hal+json; charset=utf-8"
    data = response.json()
    assert data["vendor_name"] == "standwith"
    assert data["osdi_version"] == "1.0"
    assert data["namespace"] == "standwith"
    assert data["max_pagesize"] == 100
    assert data["_links"]["curies"] == [
        {"name": "osdi", "href": "https://opensupporter.github.io/osdi-docs/{rel}", "templated": True}
    ]
    assert set(data["_links"]) == {"curies", "self", "osdi:petitions", "osdi:people", "docs"}


def test_every_link_of_the_entry_point_resolves_with_a_token(client, osdi, petition):
    links = client.get(f"{BASE}/").json()["_links"]

    for rel, link in links.items():
        if rel == "curies":
            continue  # templated, and at the public OSDI docs: not ours to fetch
        assert osdi(path_of(link["href"])).status_code == 200, rel


def test_it_answers_head_as_get(client):
    response = client.head(f"{BASE}/")

    assert response.status_code == 200
    assert response.content == b""


def test_it_describes_itself_in_its_own_openapi_schema(client):
    schema = client.get(f"{BASE}/openapi.json").json()

    assert "/api/osdi/v1/petitions/{slug}/record_signature_helper" in schema["paths"]
    assert "/api/osdi/v1/people/{person_id}" in schema["paths"]
    assert "head" not in schema["paths"]["/api/osdi/v1/people"]
