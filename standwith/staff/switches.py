"""Reading the site switches on every request, cheaply: from the two-level cache."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from standwith.freshcache import forget, fresh
from standwith.staff.models import SiteSwitches

KEY = "site-switches"
# Other processes see a flipped switch within this many seconds.
SECONDS = 2


def current() -> SiteSwitches:
    return fresh(KEY, SECONDS, lambda: SiteSwitches.objects.get_or_create(pk=1)[0])


@receiver(post_save, sender=SiteSwitches)
def _forget(sender: type[SiteSwitches], **kwargs: object) -> None:
    forget(KEY)
