"""Petition moves, told to the organisation's endpoints; endpoint changes, to the cache of who takes what."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from standwith.campaigns.models import Petition
from standwith.outreach.webhooks import services
from standwith.outreach.webhooks.models import Endpoint
from standwith.staff.services import MOVES
from standwith.staff.signals import petition_moved


@receiver(petition_moved)
def _after_move(sender: type, petition: Petition, action: str, reason: str, **kwargs: Any) -> None:
    # The signal comes before the petition is read back: its state is still the one it left.
    origin = str(petition.state)
    to = next(target for (source, target), move in MOVES.items() if source == origin and move.action == action)
    services.petition_state_changed(petition, action, origin, to)


@receiver(post_save, sender=Endpoint)
@receiver(post_delete, sender=Endpoint)
def _forget_subscriptions(sender: type, instance: Endpoint, **kwargs: Any) -> None:
    services.forget_subscriptions(instance.organization_id)
