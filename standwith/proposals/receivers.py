"""What follows for a proposer when moderators move their petition."""

from typing import Any

from django.dispatch import receiver

from standwith.campaigns.models import Petition
from standwith.proposals import services
from standwith.proposals.models import Proposal
from standwith.staff.signals import petition_moved

# The moderator's move, and the mail it sends the proposer.
TOLD = {"reject": "rejected", "remove": "rejected", "send_back": "sent_back"}


@receiver(petition_moved)
def _after_move(sender: type, petition: Petition, action: str, reason: str, **kwargs: Any) -> None:
    if not Proposal.objects.filter(petition=petition).exists():
        return
    if action == "publish":
        services.published(petition)
    elif action in TOLD:
        services.tell_proposer(petition, TOLD[action], reason)
