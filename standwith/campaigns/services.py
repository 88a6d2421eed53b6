"""Reading petitions for the public pages and the sign path."""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.utils import timezone

from standwith.campaigns.models import Petition
from standwith.freshcache import forget, fresh

# States in which a petition's page is public.
PUBLIC_STATES = {Petition.State.OPEN, Petition.State.CLOSED, Petition.State.ARCHIVED}
# Cached copies of petitions stay fresh this long, in seconds; a save drops
# them at once here and in the shared cache, other processes catch up soon after.
PETITION_CACHE_SECONDS = 5


def _cache_key(slug: str) -> str:
    return f"petition:{slug}"


def public_petition(slug: str) -> Petition | None:
    """The petition at this slug if its page is public, from cache when possible."""

    def load() -> Petition | bool:
        petition = (
            Petition.objects.select_related("organization")
            .prefetch_related("targets", "partners")
            .filter(slug=slug, state__in=PUBLIC_STATES)
            .first()
        )
        # A miss is cached too, so a flood of requests for made-up slugs
        # does not reach the database either.
        return petition or False

    found = fresh(_cache_key(slug), PETITION_CACHE_SECONDS, load)
    return found if isinstance(found, Petition) else None


def open_petitions() -> list[Petition]:
    return list(Petition.objects.filter(state=Petition.State.OPEN).select_related("organization")[:50])


def takes_signatures(petition: Petition) -> bool:
    if petition.state != Petition.State.OPEN:
        return False
    return petition.deadline is None or petition.deadline > timezone.now()


@receiver(post_save, sender=Petition)
def _forget_cached_petition(sender: type[Petition], instance: Petition, **kwargs: object) -> None:
    forget(_cache_key(instance.slug))


@receiver(m2m_changed, sender=Petition.targets.through)
@receiver(m2m_changed, sender=Petition.partners.through)
def _forget_cached_petition_relations(sender: type, instance: object, **kwargs: object) -> None:
    if isinstance(instance, Petition):
        forget(_cache_key(instance.slug))
