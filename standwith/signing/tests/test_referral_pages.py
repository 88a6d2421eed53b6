"""The pages a personal share link passes through: the petition page keeps the code without changing its
cached bytes, and the thanks page shows a confirmed signer their own link, for them alone."""

import pytest
from django.core import mail

from standwith.signing import referrals
from standwith.signing import services as signing
from standwith.signing.emails import parse_address
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def code(petition) -> str:
    signing.sign(petition, signing.Signer(name="Ref", email=parse_address("ref@example.org"), country="FR"))
    referrer = Signature.objects.get()
    signing.confirm(petition, referrer.pk)
    return referrals.code_for(petition.pk, referrer.pk)


def test_the_petition_page_is_the_same_bytes_with_and_without_a_code(client, petition, code):
    plain = client.get(f"/en/p/{petition.slug}/")
    shared = client.get(f"/en/p/{petition.slug}/?ref={code}")
    other = client.get(f"/en/p/{petition.slug}/?ref={referrals.code_for(petition.pk, 999)}")

    assert plain.status_code == shared.status_code == 200
    assert plain.content == shared.content == other.content
    assert code not in shared.content.decode()


def test_a_shared_link_keeps_its_code_in_a_private_short_lived_cookie(client, petition, code):
    client.get(f"/en/p/{petition.slug}/")  # the page is in the cache already, as it is on a busy petition

    response = client.get(f"/en/p/{petition.slug}/?ref={code.upper()}")

    cookie = response.cookies[referrals.COOKIE]
    assert cookie.value == code
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 24 * 60 * 60
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_no_cached_answer_carries_a_cookie(client, petition, code):
    client.get(f"/en/p/{petition.slug}/?ref={code}")  # the first visitor of all came through a shared link

    for path in [f"/en/p/{petition.slug}/", f"/en/p/{petition.slug}/?source=telegram"]:
        response = client.get(path)
        assert "public" in response["Cache-Control"]
        assert "Set-Cookie" not in response.headers
        assert not response.cookies


@pytest.mark.parametrize("value", ["", "<script>", "a" * 5000, "abc"])
def test_a_value_that_is_no_code_sets_no_cookie_and_the_page_stays_public(client, petition, value):
    response = client.get(f"/en/p/{petition.slug}/", {"ref": value})

    assert response.status_code == 200
    assert not response.cookies
    assert "public" in response["Cache-Control"]


def test_a_petition_that_is_not_there_sets_no_cookie(client, code):
    response = client.get(f"/en/p/no-such-petition/?ref={code}")

    assert response.status_code == 404
    assert not response.cookies


def test_the_thanks_page_shows_a_signer_their_own_link_and_keeps_it_out_of_caches(client, petition, code):
    response = client.get(f"/en/p/{petition.slug}/thanks?ref={code}")

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert f'value="http://127.0.0.1:8000/p/{petition.slug}/?source=link&amp;ref={code}"' in page
    assert f"url=http%3A%2F%2F127.0.0.1%3A8000%2Fp%2Ffree-them%2F%3Fsource%3Dtelegram%26ref%3D{code}" in page
    assert not response.cookies


@pytest.mark.parametrize("forged", ["zz-0000000000", "<script>", "1-" + "a" * 10])
def test_the_thanks_page_with_a_forged_code_is_the_page_everyone_gets(client, petition, code, forged):
    everyone = client.get(f"/en/p/{petition.slug}/thanks")

    response = client.get(f"/en/p/{petition.slug}/thanks", {"ref": forged})

    assert response.content == everyone.content
    assert "public" in response["Cache-Control"]
    assert "&amp;ref=" not in response.content.decode()
    assert "%26ref%3D" not in response.content.decode()


def test_the_thanks_page_does_not_take_another_petitions_code(client, petition, instant_petition, code):
    response = client.get(f"/en/p/{instant_petition.slug}/thanks?ref={code}")

    assert "public" in response["Cache-Control"]
    assert code not in response.content.decode()


def test_a_confirmed_signer_who_signs_again_is_mailed_their_own_link(sign, client, petition, run_tasks):
    sign(petition, email="ada@example.org")
    signature = Signature.objects.get()
    signing.confirm(petition, signature.pk)

    sign(petition, email="ada@example.org")
    run_tasks()

    again = mail.outbox[-1]
    link = f"http://127.0.0.1:8000/p/{petition.slug}/?ref={referrals.code_for(petition.pk, signature.pk)}"
    assert referrals.share_link(signature) == link
    assert link in again.body
    assert f'href="{link}"' in str(again.alternatives[0][0])


def test_an_unconfirmed_signer_gets_no_share_code_by_mail(sign, petition, run_tasks):
    sign(petition, email="ada@example.org")
    sign(petition, email="ada@example.org")
    run_tasks()

    assert all("ref=" not in message.body for message in mail.outbox)
