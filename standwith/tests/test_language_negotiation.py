import pytest

from standwith.conftest import ORIGIN, sign_data
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ("de-CH", "de"),
        ("fr;q=0.5, es;q=0.9", "es"),
        ("ar-EG", "ar"),
        ("zh-CN", "en"),
        ("", "en"),
        ("*", "en"),
        (";;;,q=x,\x00", "en"),
        ("x" * 5000, "en"),
    ],
)
def test_it_sends_an_address_without_language_to_the_readers_own(client, petition, header, language):
    response = client.get(f"/p/{petition.slug}/", headers={"Accept-Language": header})

    assert response.status_code == 302
    assert response["Location"] == f"/{language}/p/{petition.slug}/"
    assert "Accept-Language" in response["Vary"]
    assert "public" in response["Cache-Control"]


def test_it_keeps_the_source_code_through_the_redirect(client, petition):
    response = client.get(f"/p/{petition.slug}/?source=telegram", headers={"Accept-Language": "ru"})

    assert response["Location"] == f"/ru/p/{petition.slug}/?source=telegram"


def test_it_sends_the_home_page_too(client):
    assert client.get("/", headers={"Accept-Language": "es"})["Location"] == "/es/"


def test_it_never_redirects_a_page_that_names_its_language(client, petition):
    response = client.get(f"/en/p/{petition.slug}/", headers={"Accept-Language": "ru"})

    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()


def test_it_leaves_the_api_and_unknown_addresses_alone(client, petition):
    assert client.get(f"/api/v1/petitions/{petition.slug}", headers={"Accept-Language": "ru"}).status_code == 200
    missing = client.get("/no/such/page", headers={"Accept-Language": "ru"})
    assert missing.status_code == 404
    assert "Location" not in missing


def test_it_takes_no_signature_at_an_address_without_language(client, petition):
    response = client.post(f"/p/{petition.slug}/sign", sign_data(), headers={"Origin": ORIGIN})

    assert response.status_code == 302  # Django's own redirect: the browser follows with a GET, which signs nothing
    assert not Signature.objects.exists()


def test_it_tells_search_engines_where_each_language_is(client, petition):
    page = client.get(f"/ru/p/{petition.slug}/").content.decode()

    for code in ["en", "ru", "es", "fr", "de", "ar"]:
        assert f'<link rel="alternate" hreflang="{code}" href="http://127.0.0.1:8000/{code}/p/free-them/">' in page
    assert '<link rel="alternate" hreflang="x-default" href="http://127.0.0.1:8000/p/free-them/">' in page
