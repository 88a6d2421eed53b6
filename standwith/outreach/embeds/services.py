"""Finding a partner's embed by its key, on every frame load and every signature made through it."""

import re
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from standwith.freshcache import forget, fresh
from standwith.outreach.embeds.models import Embed

# Cached copies stay fresh this long, in seconds; a save drops them at once here and in the shared cache.
EMBED_CACHE_SECONDS = 5
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,32}$")


@dataclass(frozen=True)
class Frame:
    """What serving an embed needs: small, so it is cheap to keep in the cache."""

    key: str
    petition_slug: str
    origins: tuple[str, ...]
    source: str

    @property
    def frame_ancestors(self) -> str:
        return " ".join(self.origins)


def _cache_key(key: str) -> str:
    return f"embed:{key}"


def active_frame(key: str) -> Frame | None:
    """The active embed with this key, from cache when possible; None for an unknown or inactive one."""
    if not _KEY.match(key):
        return None

    def load() -> Frame | bool:
        embed = Embed.objects.filter(key=key, active=True).select_related("petition").first()
        if embed is None:
            # A miss is cached too, so made-up keys do not reach the database.
            return False
        return Frame(
            key=embed.key, petition_slug=embed.petition.slug, origins=tuple(embed.origin_list), source=embed.source
        )

    found = fresh(_cache_key(key), EMBED_CACHE_SECONDS, load)
    return found if isinstance(found, Frame) else None


@receiver(post_save, sender=Embed)
@receiver(post_delete, sender=Embed)
def _forget_cached_embed(sender: type, instance: Embed, **kwargs: object) -> None:
    forget(_cache_key(instance.key))
