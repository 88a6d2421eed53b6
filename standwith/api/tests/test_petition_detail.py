import pytest

from standwith.campaigns.models import Petition
from standwith.signing import counting

pytestmark = pytest.mark.django_db


def test_it_describes_a_petition_and_its_count(client, petition):
    counting.add(petition.pk, 17)

    response = client.get(f"/api/v1/petitions/{petition.slug}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["slug"] == "free-them"
    assert data["title"] == "Free them"
    assert data["state"] == "open"
    assert data["signature_count"] == 17
    assert data["goal"] == 1000
    assert data["url"].endswith("/p/free-them/")
    assert data["targets"] == [{"name": "A. President", "role": "President", "organisation": "", "country": "US"}]


def test_it_lets_a_proxy_cache_it_and_serve_it_through_a_blip(client, petition):
    cache_control = client.get(f"/api/v1/petitions/{petition.slug}")["Cache-Control"]

    for directive in ["public", "max-age=1", "stale-while-revalidate=30", "stale-if-error=86400"]:
        assert directive in cache_control


def test_it_keeps_non_latin_text_readable(client, petition):
    petition.title = "Свободу Салеху и Исмаилу"
    petition.save()

    assert "Свободу".encode() in client.get(f"/api/v1/petitions/{petition.slug}").content


def test_it_answers_404_in_json_for_an_unknown_or_unpublished_petition(client, petition):
    petition.state = Petition.State.DRAFT
    petition.save()

    for slug in [petition.slug, "no-such-petition"]:
        response = client.get(f"/api/v1/petitions/{slug}")
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


def test_it_counts_no_rows_to_answer(client, petition, django_assert_num_queries):
    client.get(f"/api/v1/petitions/{petition.slug}")

    with django_assert_num_queries(0):
        client.get(f"/api/v1/petitions/{petition.slug}")


def test_it_refuses_to_be_written_to(client, petition):
    response = client.post(f"/api/v1/petitions/{petition.slug}", {})

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "does not take that kind of request" in response.json()["error"]
