"""The privacy notice: in every interface language, with the numbers the code uses."""

import pytest
from django.conf import settings as site

from standwith.campaigns.models import Organization

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", [code for code, _name in site.LANGUAGES])
def test_it_renders_in_every_interface_language(client, language):
    response = client.get(f"/{language}/privacy")

    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.content.decode()


def test_it_states_the_retention_periods_the_code_applies(client, settings):
    settings.IP_DIGEST_RETENTION_DAYS = 21

    page = client.get("/en/privacy").content.decode()

    default = Organization._meta.get_field("retention_days").default
    assert f"by default {default} days" in page
    assert "Deleted 21 days after you sign" in page
    assert f"works for {settings.CONFIRM_TOKEN_MAX_AGE_DAYS} days" in page


def test_it_says_what_is_encrypted_and_that_no_ip_address_is_stored(client):
    page = client.get("/en/privacy").content.decode()

    assert "AES-256-GCM" in page
    assert "We do not store your IP address" in page
    assert "audit log" in page


def test_it_is_a_cached_public_page(client):
    response = client.get("/en/privacy")

    assert "public" in response["Cache-Control"]


def test_it_is_linked_from_the_footer_of_every_page(client):
    assert 'href="/ru/privacy"' in client.get("/ru/").content.decode()


def test_it_is_linked_from_the_sign_form(client, petition):
    page = client.get(f"/en/p/{petition.slug}/").content.decode()

    assert page.count('href="/en/privacy"') == 2  # the sign form's fine print, and the footer
