"""The embed's frame: the petition's title, count and sign form, framed only by the partner's listed sites."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from standwith.campaigns.models import Petition
from standwith.outreach.embeds.models import Embed
from standwith.outreach.embeds.tests.conftest import PARTNER_ORIGINS, frame_ancestors

pytestmark = pytest.mark.django_db


def test_it_shows_the_title_the_count_and_the_sign_form_posting_to_the_site(client, embed):
    response = client.get(f"/en/embed/{embed.key}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Free them" in page
    assert 'data-count-url="/api/v1/petitions/free-them"' in page
    assert f'action="/en/embed/{embed.key}/sign"' in page
    assert '<input type="hidden" name="source" value="fh-web"' in page
    assert "site-header" not in page  # the form alone, not the site around it


def test_it_lets_only_the_embeds_own_origins_frame_it(client, embed):
    response = client.get(f"/en/embed/{embed.key}/")

    assert frame_ancestors(response) == " ".join(PARTNER_ORIGINS)
    assert "X-Frame-Options" not in response
    assert response["Content-Security-Policy"].count("frame-ancestors") == 1


def test_it_gives_each_embed_of_a_petition_its_own_origins(client, embed, petition, partner):
    other = Embed.objects.create(petition=petition, partner=partner, origins="https://other.example", source="x")

    assert frame_ancestors(client.get(f"/en/embed/{other.key}/")) == "https://other.example"
    assert frame_ancestors(client.get(f"/en/embed/{embed.key}/")) == " ".join(PARTNER_ORIGINS)


def test_it_serves_every_visitor_the_same_cached_bytes(client, embed):
    first = client.get(f"/en/embed/{embed.key}/")
    stranger = Client(HTTP_ACCEPT_LANGUAGE="ru", HTTP_COOKIE="sessionid=abc", REMOTE_ADDR="198.51.100.7")
    with CaptureQueriesContext(connection) as queries:
        second = stranger.get(f"/en/embed/{embed.key}/")

    assert second.content == first.content
    assert len(queries) == 0  # the embed, the petition and the page all come from the cache
    assert "public" in second["Cache-Control"]
    assert frame_ancestors(second) == frame_ancestors(first)


def test_it_speaks_the_language_of_its_address(client, embed):
    response = client.get(f"/fr/embed/{embed.key}/")

    page = response.content.decode()
    assert '<html lang="fr"' in page
    assert "Ajoutez votre nom" in page
    assert f'action="/fr/embed/{embed.key}/sign"' in page


def test_it_sends_an_address_without_a_language_to_the_readers(client, embed):
    response = client.get(f"/embed/{embed.key}/", headers={"Accept-Language": "de-DE,de;q=0.9"})

    assert response.status_code == 302
    assert response["Location"] == f"/de/embed/{embed.key}/"


def test_it_says_so_when_the_petition_is_closed(client, embed, petition):
    petition.state = Petition.State.CLOSED
    petition.save()

    response = client.get(f"/en/embed/{embed.key}/")

    assert response.status_code == 200
    assert "This petition is closed" in response.content.decode()
    assert "<form" not in response.content.decode()


def assert_not_found_and_not_framable(response):
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert frame_ancestors(response) == "'none'"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("key", ["A" * 24, "short", "has spaces in it!!!!!!!!", "x" * 200])
def test_it_answers_an_unknown_key_with_a_404_that_does_not_frame(client, embed, key):
    assert_not_found_and_not_framable(client.get(f"/en/embed/{key}/"))


def test_it_answers_an_inactive_embed_with_a_404_that_does_not_frame(client, embed):
    client.get(f"/en/embed/{embed.key}/")  # cached while it was active
    embed.active = False
    embed.save()

    assert_not_found_and_not_framable(client.get(f"/en/embed/{embed.key}/"))
    assert_not_found_and_not_framable(client.get(f"/en/embed/{embed.key}/check-email"))


def test_it_answers_an_embed_of_a_petition_that_is_not_public_with_a_404(client, embed, petition):
    petition.state = Petition.State.DRAFT
    petition.save()

    assert_not_found_and_not_framable(client.get(f"/en/embed/{embed.key}/"))


def test_it_frames_its_check_your_email_page_for_the_same_origins(client, embed):
    response = client.get(f"/es/embed/{embed.key}/check-email")

    assert response.status_code == 200
    assert "Revisa tu correo" in response.content.decode()
    assert frame_ancestors(response) == " ".join(PARTNER_ORIGINS)
    assert "X-Frame-Options" not in response
    assert f'href="/es/embed/{embed.key}/"' in response.content.decode()


def test_it_leaves_every_other_page_unframable(client, embed, petition):
    response = client.get(f"/en/p/{petition.slug}/")

    assert frame_ancestors(response) == "'none'"
    assert response["X-Frame-Options"] == "DENY"
