"""The count: slot rows summed on read.

A confirmation adds one to a random slot of its petition, so concurrent
confirmations mostly touch different rows instead of queueing on one (the
per-signature +1 on a single row is what serialised the UK site in 2019).
Nothing on a request path counts signatures: pages sum the 16 slots when
they are rendered, about once a second (see standwith.public); `reconcile`
counts signatures, in the background, and records any drift it corrects.
"""

import random

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.db.models.signals import post_save
from django.dispatch import receiver

from standwith.campaigns.models import Petition
from standwith.signing.models import CountCorrection, CountSlot, Signature


@receiver(post_save, sender=Petition)
def _make_slots_for_new_petition(sender: type[Petition], instance: Petition, created: bool, **kwargs: object) -> None:
    if created:
        ensure_slots(instance.pk)


def ensure_slots(petition_id: int) -> None:
    CountSlot.objects.bulk_create(
        [CountSlot(petition_id=petition_id, slot=n) for n in range(settings.COUNT_SLOTS)],
        ignore_conflicts=True,
    )


def add(petition_id: int, delta: int) -> None:
    """Change the count; call inside the transaction that changes the signatures."""
    slot = CountSlot.objects.filter(petition_id=petition_id, slot=random.randrange(settings.COUNT_SLOTS))
    if not slot.update(count=F("count") + delta):
        # Slots are made with the petition; this covers one made before that.
        # ON CONFLICT DO NOTHING cannot abort the surrounding transaction.
        ensure_slots(petition_id)
        slot.update(count=F("count") + delta)


def stored_count(petition_id: int) -> int:
    total = CountSlot.objects.filter(petition_id=petition_id).aggregate(total=Sum("count"))["total"]
    return int(total or 0)


def stored_counts(petition_ids: list[int]) -> dict[int, int]:
    rows = CountSlot.objects.filter(petition_id__in=petition_ids).values("petition_id").annotate(total=Sum("count"))
    return dict.fromkeys(petition_ids, 0) | {row["petition_id"]: int(row["total"]) for row in rows}


def reconcile(petition_id: int) -> CountCorrection | None:
    """Recount a petition's valid signatures and correct the counter to match.

    The slots are locked before counting, so a confirmation either finished
    before the recount (and is in both numbers) or waits and lands after the
    correction (and is in neither): the correction never races one away.
    """
    ensure_slots(petition_id)
    with transaction.atomic():
        slots = list(CountSlot.objects.select_for_update().filter(petition_id=petition_id).order_by("slot"))
        counter_said = sum(slot.count for slot in slots)
        signatures_say = Signature.objects.filter(petition_id=petition_id, state=Signature.State.VALIDATED).count()
        if counter_said == signatures_say:
            return None
        CountSlot.objects.filter(pk=slots[0].pk).update(count=F("count") + (signatures_say - counter_said))
        correction = CountCorrection.objects.create(
            petition_id=petition_id, counter_said=counter_said, signatures_say=signatures_say
        )
    return correction
