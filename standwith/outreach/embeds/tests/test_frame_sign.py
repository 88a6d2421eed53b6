"""Signing in a partner's frame: the page's defences and no-enumeration rule, answered inside the frame."""

import pytest
from django_tasks_db.models import DBTaskResult

from standwith.campaigns.models import Petition
from standwith.campaigns.services import forget_cached_petition
from standwith.conftest import data_statements
from standwith.outreach.embeds.tests.conftest import PARTNER_ORIGINS, frame_ancestors
from standwith.shield.tests.test_challenge import solved
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db


def assert_in_the_frame(response):
    assert frame_ancestors(response) == " ".join(PARTNER_ORIGINS)
    assert "X-Frame-Options" not in response
    assert "site-header" not in response.content.decode()


def test_it_records_the_signature_with_the_partners_source_code_and_the_frames_language(frame_sign, embed):
    response = frame_sign(embed, "fr")

    assert response.status_code == 303
    assert response["Location"] == f"/fr/embed/{embed.key}/check-email"
    assert_in_the_frame(response)
    signature = Signature.objects.get()
    assert (signature.source, signature.language, signature.petition_id) == ("fh-web", "fr", embed.petition_id)


def test_it_keeps_the_partners_source_code_whatever_the_form_says(frame_sign, embed):
    frame_sign(embed, source="someone-else")

    assert Signature.objects.get().source == "fh-web"


def test_it_answers_a_new_and_a_repeated_signature_alike(frame_sign, embed):
    new = frame_sign(embed, email="same@example.org")
    repeated = frame_sign(embed, email="same@example.org")

    assert new.status_code == repeated.status_code == 303
    assert new["Location"] == repeated["Location"]
    assert new.content == repeated.content
    assert sorted(new.headers.items()) == sorted(repeated.headers.items())
    assert Signature.objects.count() == 1


def test_it_answers_a_filled_honeypot_as_a_signature_and_stores_nothing(frame_sign, embed):
    caught = frame_sign(embed, website="http://cheap-pills.example")
    honest = frame_sign(embed, email="grace@example.org")

    assert caught.status_code == honest.status_code == 303
    assert caught["Location"] == honest["Location"]
    assert Signature.objects.count() == 1
    assert DBTaskResult.objects.count() == 1  # the honest signer's mail only


def test_it_shows_form_errors_in_the_frame_in_the_signers_language(frame_sign, embed):
    response = frame_sign(embed, "de", email="not-an-address", name="")

    assert response.status_code == 400
    assert_in_the_frame(response)
    page = response.content.decode()
    assert '<html lang="de"' in page
    assert "Bitte" in page  # the errors, in German
    assert f'action="/de/embed/{embed.key}/sign"' in page
    assert not Signature.objects.exists()


def test_it_refuses_a_form_posted_from_another_site_in_the_frame(client, embed):
    response = client.post(
        f"/en/embed/{embed.key}/sign",
        {"name": "Ada", "email": "ada@example.org", "country": "GB"},
        headers={"Origin": PARTNER_ORIGINS[0]},
    )

    assert response.status_code == 403
    assert_in_the_frame(response)
    assert "Please sign on the petition page" in response.content.decode()
    assert not Signature.objects.exists()


def test_it_keeps_the_rate_limits_and_says_so_in_the_frame(frame_sign, embed, settings):
    settings.SIGN_LIMITS = {"ip": (1, 600)}
    frame_sign(embed, email="first@example.org")

    response = frame_sign(embed, "fr", email="second@example.org")

    assert response.status_code == 429
    assert response["Retry-After"]
    assert_in_the_frame(response)
    assert '<html lang="fr"' in response.content.decode()
    assert f'href="/fr/embed/{embed.key}/"' in response.content.decode()  # back to the form, in the frame
    assert Signature.objects.count() == 1


def test_it_asks_for_the_challenge_while_the_shields_are_up(frame_sign, embed, petition, settings):
    settings.CHALLENGE_COMPLEXITY = 256  # solved here in a few milliseconds
    petition.shield_mode = Petition.Shields.ALWAYS
    petition.save(update_fields=["shield_mode"])
    forget_cached_petition(petition)

    refused = frame_sign(embed, email="no-proof@example.org")
    taken = frame_sign(embed, email="proof@example.org", altcha=solved())

    assert refused.status_code == 403
    assert_in_the_frame(refused)
    assert "Signing needs a quick check just now" in refused.content.decode()
    assert taken.status_code == 303
    assert Signature.objects.count() == 1


def test_it_says_a_closed_petition_is_closed_in_the_frame(frame_sign, embed, petition, settings):
    frame_sign(embed, email="warm-up@example.org")  # the petition is cached open in this process
    Petition.objects.filter(pk=petition.pk).update(state=Petition.State.CLOSED)
    forget_cached_petition(petition)

    response = frame_sign(embed, email="late@example.org")

    assert response.status_code == 409
    assert_in_the_frame(response)
    assert Signature.objects.count() == 1


def test_it_refuses_a_signature_through_an_inactive_embed_with_a_404_that_does_not_frame(frame_sign, embed):
    embed.active = False
    embed.save()

    response = frame_sign(embed)

    assert response.status_code == 404
    assert response["X-Frame-Options"] == "DENY"
    assert not Signature.objects.exists()


def test_it_signs_with_no_more_queries_than_the_petition_page(frame_sign, sign, embed, petition):
    sign(petition, email="warm-up@example.org")
    frame_sign(embed, email="warm-up-too@example.org")  # the embed comes from the cache from now on

    with data_statements() as on_the_page:
        sign(petition, email="page@example.org")
    with data_statements() as in_the_frame:
        frame_sign(embed, email="frame@example.org")

    assert len(in_the_frame) == len(on_the_page)
