"""Withdrawing a signature through its link: the count drops once, and the signer may sign again."""

import pytest
from django.core import mail

from standwith.shield import services as shield
from standwith.signing import counting, services
from standwith.signing.models import Invalidation, Signature
from standwith.signing.tests.manage_helpers import link, press, signed

pytestmark = pytest.mark.django_db


def test_it_withdraws_a_signature_and_the_count_drops(client, petition):
    signature = signed(petition)
    signed(petition, "grace@example.org")
    assert counting.stored_count(petition.pk) == 2

    response = press(client, link(signature), "withdraw")

    assert response.status_code == 200
    assert "Your signature is withdrawn" in response.content.decode()
    signature.refresh_from_db()
    assert signature.state == Signature.State.WITHDRAWN
    assert signature.ended_at is not None
    assert counting.stored_count(petition.pk) == 1


def test_it_drops_the_count_only_once_when_pressed_twice(client, petition):
    signature = signed(petition)

    press(client, link(signature), "withdraw")
    response = press(client, link(signature), "withdraw")

    assert "withdrawn already" in response.content.decode()
    assert counting.stored_count(petition.pk) == 0
    assert counting.reconcile(petition.pk) is None


def test_it_leaves_the_count_alone_for_a_signature_that_never_counted(client, petition):
    signature = signed(petition, confirm=False)
    signed(petition, "grace@example.org")

    press(client, link(signature), "withdraw")

    assert Signature.objects.get(pk=signature.pk).state == Signature.State.WITHDRAWN
    assert counting.stored_count(petition.pk) == 1


def test_it_lets_a_signer_withdraw_from_a_closed_petition(client, petition):
    signature = signed(petition)
    petition.state = petition.State.CLOSED
    petition.save()

    press(client, link(signature), "withdraw")

    assert Signature.objects.get(pk=signature.pk).state == Signature.State.WITHDRAWN
    assert counting.stored_count(petition.pk) == 0


def test_it_takes_an_invalidated_signature_out_of_its_batch_so_an_undo_cannot_bring_it_back(
    client, petition, django_user_model
):
    signature = signed(petition)
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    # As shield.invalidate leaves a counted signature it strikes off.
    batch = Invalidation.objects.create(petition=petition, criteria={}, reason="a flood", signatures=1, counted=1)
    Signature.objects.filter(pk=signature.pk).update(
        state=Signature.State.INVALIDATED, invalidation=batch, invalidated_from=Signature.State.VALIDATED
    )
    counting.add(petition.pk, -1)

    press(client, link(signature), "withdraw")
    shield.undo(batch, admin)

    assert Signature.objects.get(pk=signature.pk).state == Signature.State.WITHDRAWN
    assert counting.stored_count(petition.pk) == 0
    assert counting.reconcile(petition.pk) is None


def test_it_brings_a_withdrawn_signature_back_as_pending_when_its_signer_signs_again(client, petition, sign, run_tasks):
    signature = signed(petition)
    press(client, link(signature), "withdraw")
    run_tasks()  # the first signature's own mail
    mail.outbox.clear()

    sign(petition, email="ada@example.org", name="Ada King")
    run_tasks()

    signature.refresh_from_db()
    assert signature.state == Signature.State.PENDING
    assert signature.ended_at is None
    assert signature.confirmed_at is None
    assert counting.stored_count(petition.pk) == 0
    (message,) = mail.outbox
    assert "confirm" in message.subject.lower()
    assert "Hello Ada King," in message.body

    services.confirm(petition, signature.pk)
    assert counting.stored_count(petition.pk) == 1


def test_it_counts_a_revived_signature_at_once_where_signatures_count_at_once(client, instant_petition):
    signature = signed(instant_petition, confirm=False)
    press(client, link(signature), "withdraw")
    assert counting.stored_count(instant_petition.pk) == 0

    signed(instant_petition, confirm=False)

    assert Signature.objects.get(pk=signature.pk).state == Signature.State.VALIDATED
    assert counting.stored_count(instant_petition.pk) == 1
    assert counting.reconcile(instant_petition.pk) is None
