import re

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.utils import timezone

from standwith import freshcache
from standwith.campaigns.models import Petition
from standwith.conftest import data_statements
from standwith.outreach.webhooks import services as webhooks
from standwith.signing import counting, referrals
from standwith.signing.models import Signature
from standwith.signing.tokens import make_confirm_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(sign, petition, run_tasks):
    """A pending signature and the confirmation link mailed for it."""
    sign(petition, email="ada@example.org")
    run_tasks()
    (message,) = mail.outbox
    url = re.search(r"http://\S+/confirm/\S+/", message.body).group(0)
    return Signature.objects.get(), url.removeprefix("http://127.0.0.1:8000")


def test_it_shows_a_button_and_does_not_confirm_when_the_link_is_opened(client, petition, signed):
    signature, path = signed

    response = client.get(path)

    assert response.status_code == 200
    assert "Confirm my signature" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    signature.refresh_from_db()
    assert signature.state == Signature.State.PENDING
    assert counting.stored_count(petition.pk) == 0


def test_it_confirms_and_counts_when_the_button_is_pressed(client, petition, signed):
    signature, path = signed

    response = client.post(path)

    assert response.status_code == 303
    assert response["Location"] == f"/en/p/{petition.slug}/thanks?ref={referrals.code_for(petition.pk, signature.pk)}"
    signature.refresh_from_db()
    assert signature.state == Signature.State.VALIDATED
    assert signature.validated_at is not None
    assert signature.confirmed_at is not None
    assert counting.stored_count(petition.pk) == 1


def test_it_shows_the_new_count_to_the_public(client, petition, signed):
    _, path = signed
    assert client.get(f"/api/v1/petitions/{petition.slug}").json()["signature_count"] == 0

    client.post(path)

    # Public answers are cached for about a second; emptying the caches stands in for that second passing.
    cache.clear()
    freshcache.forget_local()
    assert client.get(f"/api/v1/petitions/{petition.slug}").json()["signature_count"] == 1


def test_it_is_harmless_to_confirm_twice(client, petition, signed):
    _, path = signed
    client.post(path)

    response = client.post(path)

    assert response.status_code == 303
    assert counting.stored_count(petition.pk) == 1


def test_it_confirms_with_a_pinned_number_of_queries(client, petition, signed):
    _, path = signed
    client.get(f"/en/p/{petition.slug}/")  # the petition is in cache, as on a live site
    webhooks.subscribed_events(petition.organization_id)  # and so is which events its organisation's webhooks take

    with data_statements() as statements:
        client.post(path)

    assert [sql.split(" SET")[0] for sql in statements] == [
        'UPDATE "signing_signature"',
        'UPDATE "signing_countslot"',
    ]


def test_it_confirms_the_address_on_a_petition_that_counted_already(client, sign, instant_petition, run_tasks):
    sign(instant_petition)
    signature = Signature.objects.get()
    path = f"/en/p/{instant_petition.slug}/confirm/{make_confirm_token(instant_petition.pk, signature.pk)}/"

    client.post(path)

    signature.refresh_from_db()
    assert signature.confirmed_at is not None
    assert counting.stored_count(instant_petition.pk) == 1


@pytest.mark.parametrize(
    "token",
    [
        "forged",
        "1.1:1xWmh3:QS-YFjEv4JDwBidhcFSsrer_ysgnK219xilsvKnvTPs",
        signing.TimestampSigner(salt="another.purpose").sign("1.1"),
        signing.TimestampSigner(key="another-key-" * 4, salt="standwith.signing.confirm").sign("1.1"),
    ],
    # Named, not shown: the signed tokens hold the time, and parallel workers must collect the same ids.
    ids=["garbage", "bad-signature", "other-salt", "other-key"],
)
def test_it_refuses_a_forged_token_and_changes_nothing(client, petition, signed, token):
    signature, _ = signed

    for method in (client.get, client.post):
        response = method(f"/en/p/{petition.slug}/confirm/{token}/")
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    signature.refresh_from_db()
    assert signature.state == Signature.State.PENDING


def test_it_refuses_a_token_made_for_another_petition(client, petition, instant_petition, signed):
    signature, _ = signed
    token = make_confirm_token(instant_petition.pk, signature.pk)

    response = client.post(f"/en/p/{petition.slug}/confirm/{token}/")

    assert response.status_code == 400
    signature.refresh_from_db()
    assert signature.state == Signature.State.PENDING


def test_it_explains_an_expired_link_and_changes_nothing(client, petition, signed, settings):
    signature, path = signed
    settings.CONFIRM_TOKEN_MAX_AGE_DAYS = 0

    response = client.post(path)

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    signature.refresh_from_db()
    assert signature.state == Signature.State.PENDING


@pytest.mark.parametrize("state", [Signature.State.WITHDRAWN, Signature.State.INVALIDATED])
def test_it_does_not_revive_a_withdrawn_or_invalidated_signature(client, petition, signed, state):
    signature, path = signed
    Signature.objects.filter(pk=signature.pk).update(state=state, ended_at=timezone.now())

    response = client.post(path)

    assert response.status_code == 404
    assert counting.stored_count(petition.pk) == 0


def test_it_does_not_count_a_confirmation_after_the_petition_closed(client, petition, signed):
    _, path = signed
    petition.state = Petition.State.CLOSED
    petition.save()

    response = client.post(path)

    assert response.status_code == 409
    assert counting.stored_count(petition.pk) == 0


def test_it_answers_a_link_for_an_erased_signature_plainly(client, petition, signed):
    signature, path = signed
    signature.delete()

    assert client.post(path).status_code == 404
