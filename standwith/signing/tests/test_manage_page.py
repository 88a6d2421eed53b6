"""The signer's page behind the link: what it shows, that looking changes nothing, and bad links."""

import pytest

from standwith.signing import crypto, rights
from standwith.signing.models import PetitionKey, Signature
from standwith.signing.tests.manage_helpers import link, signed

pytestmark = pytest.mark.django_db


def test_it_shows_the_signer_what_is_held_about_them(client, petition):
    signature = signed(petition, name="Ада Лавлейс", consent_campaign_updates=True)

    response = client.get(link(signature))

    assert response.status_code == 200
    page = response.content.decode()
    for held in ("Ада Лавлейс", "ada@example.org", "N1 9GU", "United Kingdom", "Confirmed"):
        assert held in page
    assert 'name="consent_campaign_updates" id="c-campaign" checked' in page


def test_it_keeps_the_page_private(client, petition):
    response = client.get(link(signed(petition)))

    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"


def test_it_changes_nothing_when_a_mail_scanner_opens_the_link(client, petition):
    signature = signed(petition)
    before = Signature.objects.filter(pk=signature.pk).values().get()

    client.get(link(signature))
    client.head(link(signature))

    assert Signature.objects.filter(pk=signature.pk).values().get() == before


def test_it_is_in_the_readers_language(client, petition):
    response = client.get(link(signed(petition), "ru"))

    assert response.status_code == 200
    assert '<html lang="ru"' in response.content.decode()


@pytest.mark.parametrize("token", ["nonsense", "1.2:abc:def", "x" * 5000])
def test_it_refuses_a_forged_link_clearly(client, petition, token):
    response = client.get(f"/en/p/{petition.slug}/manage/{token}/")

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()


def test_it_refuses_an_altered_link(client, petition):
    path = link(signed(petition))
    token = path.rstrip("/").rsplit("/", 1)[1]
    altered = path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))

    assert client.get(altered).status_code == 400


def test_it_refuses_a_link_made_for_another_petition(client, petition, instant_petition):
    signature = signed(instant_petition)
    elsewhere = link(signature).replace(instant_petition.slug, petition.slug)

    response = client.get(elsewhere)

    assert response.status_code == 400
    assert "Nothing was changed" in response.content.decode()


def test_it_refuses_a_confirmation_link_used_as_a_manage_link(client, petition):
    from standwith.signing.tokens import make_confirm_token

    signature = signed(petition)

    response = client.get(f"/en/p/{petition.slug}/manage/{make_confirm_token(petition.pk, signature.pk)}/")

    assert response.status_code == 400


def test_it_says_nothing_is_held_for_a_signature_that_is_gone(client, petition):
    token = rights.make_manage_token(petition.pk, 987654)

    response = client.get(f"/en/p/{petition.slug}/manage/{token}/")

    assert response.status_code == 404
    assert "Nothing personal is held any more" in response.content.decode()


def test_it_still_opens_once_the_petition_is_closed(client, petition):
    signature = signed(petition)
    petition.state = petition.State.CLOSED
    petition.save()

    assert client.get(link(signature)).status_code == 200


def test_it_shows_no_personal_data_and_no_error_once_the_key_is_destroyed(client, petition):
    signature = signed(petition, name="Ada Lovelace")
    PetitionKey.objects.filter(petition=petition).delete()
    crypto.forget_keys()

    response = client.get(link(signature))

    assert response.status_code == 200
    page = response.content.decode()
    assert "can no longer be read by anyone" in page
    assert "Ada Lovelace" not in page
    assert "ada@example.org" not in page


def test_it_refuses_an_action_it_does_not_know(client, petition):
    from standwith.signing.tests.manage_helpers import press

    signature = signed(petition)

    response = press(client, link(signature), "explode")

    assert response.status_code == 400
    assert Signature.objects.get(pk=signature.pk).state == Signature.State.VALIDATED


def test_it_refuses_a_post_from_another_site(client, petition):
    signature = signed(petition)

    response = client.post(link(signature), {"action": "withdraw"}, headers={"Origin": "https://evil.example"})

    assert response.status_code == 403
    assert Signature.objects.get(pk=signature.pk).state == Signature.State.VALIDATED
