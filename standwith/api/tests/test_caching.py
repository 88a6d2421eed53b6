import pytest

from standwith import freshcache
from standwith.api.tests.conftest import bearer
from standwith.signing import counting

pytestmark = pytest.mark.django_db

PUBLIC = ["/api/v1/petitions", "/api/v1/petitions/free-them", "/api/v1/petitions/free-them/statistics"]


@pytest.mark.parametrize("path", PUBLIC)
def test_it_tags_every_public_answer_with_an_etag_and_lets_proxies_keep_it(client, petition, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["ETag"].endswith('"')
    assert "public" in response["Cache-Control"]


@pytest.mark.parametrize("path", PUBLIC)
def test_it_answers_304_without_a_body_to_a_client_that_has_the_answer(client, petition, path):
    etag = client.get(path)["ETag"]

    response = client.get(path, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_it_answers_in_full_to_a_client_with_an_old_etag(client, petition):
    response = client.get("/api/v1/petitions/free-them", headers={"If-None-Match": '"not-the-current-one"'})

    assert response.status_code == 200
    assert response.json()["slug"] == "free-them"


def test_it_gives_a_changed_answer_a_new_etag(client, petition, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    before = client.get("/api/v1/petitions/free-them")["ETag"]
    counting.add(petition.pk, 5)
    freshcache.forget_local()

    response = client.get("/api/v1/petitions/free-them", headers={"If-None-Match": before})

    assert response.status_code == 200
    assert response["ETag"] != before
    assert response.json()["signature_count"] == 5


@pytest.mark.parametrize("path", PUBLIC)
def test_it_answers_head_with_the_headers_and_no_body(client, petition, path):
    get = client.get(path)

    head = client.head(path)

    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]
    assert head["Content-Type"].startswith("application/json")


def test_it_answers_head_for_an_organisations_figures(client, petition, secret):
    response = client.head(f"/api/v1/organization/petitions/{petition.slug}/statistics", headers=bearer(secret))

    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("path", ["/api/v1/petitions?page=0", "/api/v1/petitions/free-them?language=xx"])
def test_it_keeps_refusals_out_of_every_cache(client, petition, path):
    response = client.get(path)

    assert response.status_code == 422
    assert response["Cache-Control"] == "no-store"
    assert response.json()["error"] == "invalid"
    assert not response.has_header("ETag")


def test_it_lets_a_proxy_keep_a_404_briefly_as_the_site_does_against_floods_of_made_up_slugs(client, db):
    response = client.get("/api/v1/petitions/no-such-one")

    assert response.status_code == 404
    assert "max-age=1" in response["Cache-Control"]
    assert response.json()["error"] == "not_found"


def test_it_keeps_an_organisations_refusals_out_of_every_cache(client, petition):
    response = client.get(f"/api/v1/organization/petitions/{petition.slug}/statistics")

    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store"


def test_it_serves_the_detail_from_cache_without_a_query(client, petition, django_assert_num_queries):
    client.get("/api/v1/petitions/free-them", {"language": "ru"})

    with django_assert_num_queries(0):
        response = client.get("/api/v1/petitions/free-them", {"language": "ru"})

    assert response.status_code == 200


def test_it_serves_a_304_from_cache_without_a_query(client, petition, django_assert_num_queries):
    etag = client.get("/api/v1/petitions")["ETag"]

    with django_assert_num_queries(0):
        assert client.get("/api/v1/petitions", headers={"If-None-Match": etag}).status_code == 304


def test_it_keys_the_list_by_its_filters_and_ignores_other_query_parameters(client, petition):
    everything = client.get("/api/v1/petitions").json()
    closed = client.get("/api/v1/petitions", {"state": "closed"}).json()
    noise = client.get("/api/v1/petitions", {"utm_source": "x"}).json()

    assert everything["total_records"] == noise["total_records"] == 1
    assert closed["total_records"] == 0
