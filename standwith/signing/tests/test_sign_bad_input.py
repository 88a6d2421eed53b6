"""Bad input to the sign form: a clear 4xx in the signer's words, and nothing stored."""

import pytest
from django_tasks_db.models import DBTaskResult

from standwith.conftest import ORIGIN, sign_data
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_is_stored():
    yield
    assert not Signature.objects.exists()
    assert not DBTaskResult.objects.exists()


def post_raw(client, petition, body: bytes, content_type: str = "application/x-www-form-urlencoded"):
    return client.generic(
        "POST", f"/en/p/{petition.slug}/sign", body, content_type=content_type, headers={"Origin": ORIGIN}
    )


def test_it_lists_every_missing_field(sign, petition):
    response = sign(petition, name="", email="", country="")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Please check the form" in page
    for message in ["Please tell us your name.", "Please enter your email address.", "Please choose your country."]:
        assert page.count(message) == 2  # in the summary at the top and beside its field


def test_it_keeps_what_the_signer_typed_when_something_is_wrong(sign, petition):
    response = sign(petition, name="Салех", email="not-an-email")

    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="Салех"' in page
    assert "it should look like name@example.org" in page


@pytest.mark.parametrize(
    "email",
    [
        "not-an-email",
        "a@b",
        "a@@example.org",
        "a b@example.org",
        "ada@example..org",
        "иван@example.ru",  # a non-ASCII local part most mail servers cannot deliver to
        "ada@example.org\r\nBcc: victim@example.org",
    ],
)
def test_it_refuses_a_malformed_email_address(sign, petition, email):
    response = sign(petition, email=email)

    assert response.status_code == 400
    assert "check your email address" in response.content.decode()


def test_it_refuses_an_email_address_longer_than_any_can_be(sign, petition):
    response = sign(petition, email="x" * 250 + "@example.org")

    assert response.status_code == 400
    assert "at most 254 characters" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x" * 101, "to 100 characters at most"),
        ("🌈🌈🌈", "with letters"),
        ("12345", "with letters"),
        ("   ", "Please tell us your name."),
        ("Ada\u202eecalevol", "cannot be shown"),  # right-to-left override: hides what the name says
        ("Ada\x00Lovelace", "Null characters are not allowed."),
        ("Ada\x07", "cannot be shown"),
    ],
)
def test_it_refuses_a_name_that_is_not_a_name(sign, petition, name, message):
    response = sign(petition, name=name)

    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("country", ["XX", "gb", "GBR", "<b>", ""])
def test_it_refuses_an_unknown_country(sign, petition, country):
    response = sign(petition, country=country)

    assert response.status_code == 400
    assert "Please choose your country" in response.content.decode()


@pytest.mark.parametrize("postcode", ["<script>", "12345678901234567", "!!"])
def test_it_refuses_a_postcode_that_is_not_one(sign, petition, postcode):
    assert sign(petition, postcode=postcode).status_code == 400


def test_it_refuses_a_megabyte_body_with_a_clear_message(client, petition):
    response = post_raw(client, petition, b"name=" + b"A" * 1_000_000 + b"&email=a%40example.org&country=GB")

    assert response.status_code == 413
    assert "far longer than a signature" in response.content.decode()


def test_it_refuses_a_megabyte_name_that_fits_no_field(sign, petition):
    assert sign(petition, name="Ж" * 20_000).status_code == 400


def test_it_treats_a_json_body_as_an_empty_form(client, petition):
    response = post_raw(client, petition, b'{"name": "Ada", "email": "ada@example.org"}', "application/json")

    assert response.status_code == 400


def test_it_survives_malformed_json_and_bytes_that_are_not_utf8(client, petition):
    assert post_raw(client, petition, b'{"name": ', "application/json").status_code == 400
    assert post_raw(client, petition, b"name=%FF%FE&email=%C0%AF@x.org&country=GB").status_code == 400


def test_it_survives_a_broken_multipart_body(client, petition):
    response = post_raw(client, petition, b"--xx\r\nnonsense", "multipart/form-data; boundary=xx")

    assert response.status_code == 400


def test_it_refuses_a_flood_of_form_fields(client, petition):
    body = "&".join(f"f{n}=1" for n in range(500)).encode()

    assert post_raw(client, petition, body).status_code == 400


def test_it_answers_get_on_the_sign_address_with_method_not_allowed(client, petition):
    response = client.get(f"/en/p/{petition.slug}/sign")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "does not take that kind of request" in response.content.decode()


def test_it_refuses_a_slug_that_is_not_a_slug(client):
    response = client.post("/en/p/%3Cscript%3E/sign", sign_data(), headers={"Origin": ORIGIN})

    assert response.status_code == 404
