import json
from typing import Any

import pytest

from standwith.api.tests.conftest import bearer
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db

URL = "/api/v1/organization/petitions/free-them/signatures"
ADA = {"name": "Ada Lovelace", "email": "ada@example.org", "country": "GB"}


def post_raw(client, secret: str, body: bytes | str, content_type: str = "application/json", path: str = URL):
    return client.post(path, body, content_type=content_type, headers=bearer(secret))


def assert_refused(response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response["Cache-Control"] == "no-store"
    data: dict[str, Any] = response.json()
    assert data["error"] == code
    assert data["detail"]
    assert Signature.objects.count() == 0
    return data


@pytest.mark.parametrize("body", ["{", '{"name": "Ada",}', "not json", b"\xff\xfe{}", "{'name': 'Ada'}"])
def test_it_refuses_a_body_that_is_not_json_as_malformed(client, petition, secret, body):
    assert_refused(post_raw(client, secret, body), 400, "malformed")


def test_it_refuses_an_empty_body(client, petition, secret):
    response = post_raw(client, secret, "")

    assert response.status_code in {400, 422}
    assert response.json()["error"] in {"malformed", "invalid"}


@pytest.mark.parametrize("body", ["[]", json.dumps([ADA]), "42", '"Ada"', "null", "true"])
def test_it_refuses_json_that_is_not_an_object(client, petition, secret, body):
    assert_refused(post_raw(client, secret, body), 422, "invalid")


def test_it_survives_json_nested_deeper_than_a_parser_goes(client, petition, secret):
    response = post_raw(client, secret, "[" * 30_000 + "]" * 30_000)

    assert response.status_code in {400, 422}
    assert response.json()["error"] in {"malformed", "invalid"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": 42}, "name"),
        ({"name": None}, "name"),
        ({"email": ["ada@example.org"]}, "email"),
        ({"country": "GBR"}, "country"),
        ({"country": {"code": "GB"}}, "country"),
        ({"consent_campaign_updates": "maybe"}, "consent_campaign_updates"),
        ({"verified_offline": [True]}, "verified_offline"),
        ({"language": "xx"}, "language"),
        ({"source": "has spaces"}, "source"),
        ({"postcode": "1" * 17}, "postcode"),
        ({"name": "x" * 401}, "name"),
    ],
)
def test_it_names_a_field_of_the_wrong_type_or_shape(api_post, petition, secret, change, field):
    data = assert_refused(api_post(URL, {**ADA, **change}, secret), 422, "invalid")

    assert field in [problem["field"] for problem in data["errors"]]


@pytest.mark.parametrize("missing", ["name", "email", "country"])
def test_it_names_a_missing_field(api_post, petition, secret, missing):
    body = {key: value for key, value in ADA.items() if key != missing}

    data = assert_refused(api_post(URL, body, secret), 422, "invalid")

    assert [problem["field"] for problem in data["errors"]] == [missing]


def test_it_refuses_a_field_it_does_not_know_and_names_it(api_post, petition, secret):
    data = assert_refused(api_post(URL, {**ADA, "nmae": "Ada"}, secret), 422, "invalid")

    assert [problem["field"] for problem in data["errors"]] == ["nmae"]


def test_it_names_an_unknown_field_inside_a_batch(api_post, petition, secret):
    body = {"signatures": [ADA, {**ADA, "email": "b@example.org", "phone": "123"}]}

    data = assert_refused(api_post(URL, body, secret), 422, "invalid")

    assert [problem["field"] for problem in data["errors"]] == ["signatures.1.phone"]


def test_it_refuses_a_batch_with_a_field_beside_its_list(api_post, petition, secret):
    data = assert_refused(api_post(URL, {"signatures": [ADA], "dry_run": True}, secret), 422, "invalid")

    assert [problem["field"] for problem in data["errors"]] == ["dry_run"]


def test_it_refuses_a_name_with_a_null_character(api_post, petition, secret):
    data = assert_refused(api_post(URL, {**ADA, "name": "Ada\x00Lovelace"}, secret), 422, "invalid")

    assert [problem["field"] for problem in data["errors"]] == ["name"]


def test_it_refuses_a_body_larger_than_it_takes_and_stores_nothing(client, petition, secret, settings):
    body = json.dumps({"signatures": [{**ADA, "name": "x" * 400}] * 150})
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    assert_refused(post_raw(client, secret, body), 413, "too_large")


def test_it_takes_a_full_batch_that_fits(api_post, petition, secret, settings):
    batch = {"signatures": [{"name": f"Signer {n}", "email": f"s{n}@example.org", "country": "FR"} for n in range(100)]}
    assert len(json.dumps(batch)) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    assert api_post(URL, batch, secret).status_code == 202


def test_it_refuses_a_form_encoded_body(client, petition, secret):
    response = post_raw(
        client, secret, "name=Ada&email=ada%40example.org&country=GB", "application/x-www-form-urlencoded"
    )

    assert 400 <= response.status_code < 500
    assert response.json()["error"]
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/petitions/free%00them",
        "/api/v1/petitions/free%00them/statistics",
        "/api/v1/petitions/free%20them",
        "/api/v1/petitions/" + "x" * 101,
        "/api/v1/organization/petitions/free%00them/statistics",
        "/api/v1/organization/petitions/free%00them/signatures/1",
    ],
)
def test_it_refuses_a_slug_that_is_not_one_in_json(client, petition, secret, path):
    response = client.get(path, headers=bearer(secret))

    assert response.status_code in {404, 422}
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] in {"not_found", "invalid"}


def test_it_refuses_a_null_character_in_the_slug_of_a_write(client, petition, secret):
    response = post_raw(client, secret, json.dumps(ADA), path="/api/v1/organization/petitions/free%00them/signatures")

    assert response.status_code in {404, 422}
    assert Signature.objects.count() == 0


def test_it_answers_an_unknown_address_under_the_api_in_json(client, db):
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_it_answers_a_reader_of_another_language_in_json_with_the_same_code(client, db):
    response = client.get("/api/v1/petitions?page=0", headers={"Accept-Language": "ru"})

    assert response.status_code == 422
    data = response.json()
    assert data["error"] == "invalid"
    assert data["detail"]


def test_it_answers_an_unauthenticated_reader_of_another_language_in_json(client, petition):
    response = client.get("/api/v1/organization/petitions/free-them/statistics", headers={"Accept-Language": "ar"})

    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_it_refuses_other_methods_in_json(client, petition, secret, method):
    response = getattr(client, method)(URL, headers=bearer(secret))

    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
