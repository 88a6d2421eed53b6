from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from standwith.signing import counting
from standwith.signing.models import CountCorrection, CountSlot, Signature
from standwith.signing.tasks import reconcile_counts

pytestmark = pytest.mark.django_db


def test_it_gives_every_new_petition_its_count_slots(petition):
    assert CountSlot.objects.filter(petition=petition).count() == settings.COUNT_SLOTS


def test_it_spreads_additions_over_the_slots_and_sums_them(petition):
    for _ in range(200):
        counting.add(petition.pk, 1)

    assert counting.stored_count(petition.pk) == 200
    assert CountSlot.objects.filter(petition=petition, count__gt=0).count() > 1


def test_it_makes_the_slots_of_an_older_petition_when_first_needed(petition):
    CountSlot.objects.filter(petition=petition).delete()

    counting.add(petition.pk, 1)

    assert counting.stored_count(petition.pk) == 1


def test_it_counts_several_petitions_with_one_query(petition, instant_petition, django_assert_num_queries):
    counting.add(instant_petition.pk, 3)

    with django_assert_num_queries(1):
        assert counting.stored_counts([petition.pk, instant_petition.pk]) == {petition.pk: 0, instant_petition.pk: 3}


def validated_signatures(petition, how_many):
    now = timezone.now()
    Signature.objects.bulk_create(
        Signature(
            petition=petition,
            email_digest=n.to_bytes(32, "big"),
            email_encrypted=b"x",
            name_encrypted=b"x",
            country="GB",
            language="en",
            state=Signature.State.VALIDATED,
            created_at=now,
            validated_at=now,
        )
        for n in range(how_many)
    )


def test_it_corrects_drift_and_records_the_correction(petition):
    validated_signatures(petition, 5)
    counting.add(petition.pk, 7)

    correction = counting.reconcile(petition.pk)

    assert correction is not None
    assert (correction.counter_said, correction.signatures_say, correction.delta) == (7, 5, -2)
    assert counting.stored_count(petition.pk) == 5
    assert CountCorrection.objects.count() == 1


def test_it_leaves_a_correct_count_alone(petition):
    validated_signatures(petition, 3)
    counting.add(petition.pk, 3)

    assert counting.reconcile(petition.pk) is None
    assert not CountCorrection.objects.exists()


def test_it_does_not_count_pending_or_invalidated_signatures(petition):
    validated_signatures(petition, 4)
    first, second = Signature.objects.order_by("pk")[:2]
    Signature.objects.filter(pk=first.pk).update(state=Signature.State.INVALIDATED)
    Signature.objects.filter(pk=second.pk).update(state=Signature.State.PENDING, validated_at=None)

    counting.reconcile(petition.pk)

    assert counting.stored_count(petition.pk) == 2


def test_it_reconciles_open_and_recently_changed_petitions_in_the_background(petition, instant_petition):
    counting.add(petition.pk, 2)
    counting.add(instant_petition.pk, 1)
    instant_petition.state = "closed"
    instant_petition.save()

    assert reconcile_counts.call() == 2
    assert counting.stored_count(petition.pk) == counting.stored_count(instant_petition.pk) == 0


def test_it_leaves_long_closed_petitions_alone(petition):
    counting.add(petition.pk, 2)
    type(petition).objects.filter(pk=petition.pk).update(
        state="archived", updated_at=timezone.now() - timedelta(days=30)
    )

    assert reconcile_counts.call() == 0
