"""Erasing one's personal data through the link: gone for good, while the count stays honest."""

import pytest
from django.core import mail

from standwith.signing import counting
from standwith.signing.models import Signature
from standwith.signing.tests.manage_helpers import link, press, signed

pytestmark = pytest.mark.django_db


def test_it_erases_the_personal_data_and_keeps_the_count(client, petition):
    signature = signed(petition, name="Ada Lovelace")

    response = press(client, link(signature), "erase", confirm="on")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your personal data is erased" in page
    assert "Nothing personal is held any more" in page
    assert "ada@example.org" not in page
    assert "Ada Lovelace" not in page
    signature.refresh_from_db()
    assert signature.erased_at is not None
    assert (bytes(signature.email_encrypted), bytes(signature.name_encrypted)) == (b"", b"")
    assert signature.postcode_encrypted is None
    assert signature.network_digest is None
    assert signature.state == Signature.State.VALIDATED
    assert counting.stored_count(petition.pk) == 1
    assert counting.reconcile(petition.pk) is None


def test_it_asks_for_the_confirmation_box_before_erasing(client, petition):
    signature = signed(petition)

    response = press(client, link(signature), "erase")

    assert response.status_code == 400
    assert "tick the box" in response.content.decode()
    assert Signature.objects.get(pk=signature.pk).erased_at is None


def test_it_says_nothing_is_held_when_the_link_is_opened_afterwards(client, petition):
    signature = signed(petition)
    press(client, link(signature), "erase", confirm="on")

    response = client.get(link(signature))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing personal is held any more" in page
    assert "Withdraw my signature" not in page


def test_it_erases_once_when_pressed_twice(client, petition):
    signature = signed(petition)
    press(client, link(signature), "erase", confirm="on")

    response = press(client, link(signature), "erase", confirm="on")

    assert response.status_code == 200
    assert counting.stored_count(petition.pk) == 1


def test_it_lets_the_person_sign_again_after_erasing(client, petition, sign, run_tasks):
    signature = signed(petition)
    run_tasks()
    press(client, link(signature), "erase", confirm="on")
    mail.outbox.clear()

    sign(petition, email="ada@example.org")
    run_tasks()

    assert Signature.objects.filter(petition=petition).count() == 2
    (message,) = mail.outbox
    assert "confirm" in message.subject.lower()
