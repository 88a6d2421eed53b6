"""A two-level cache for what every visitor sees alike: pages, counts, petitions.

Each process keeps a value in memory for half its freshness, so most reads
cost no network round trip; the shared cache (Redis in production) holds it
for everyone, and when it goes stale one process renews it while the others
go on serving the previous value, so a refresh storm never turns into a
storm of renders when an entry expires.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

T = TypeVar("T")

LOCAL_ENTRIES = 1024
# How long past its freshness a shared entry may still be served while one
# process renews it (and while the database is unreachable).
STALE_FOR = 60

_local: "OrderedDict[str, tuple[float, Any]]" = OrderedDict()
_lock = threading.Lock()


def fresh(key: str, seconds: float, compute: Callable[[], T], *, meanwhile: Callable[[], T] | None = None) -> T:
    """The value under `key`, at most about 1.5 × `seconds` old; computed when none is.

    A computed None is returned but not kept, so it is computed again next time.
    With `meanwhile`, a value that is slow to compute is computed by one process at a time even when
    there is none yet: the others get `meanwhile()` (not kept) instead of all computing it at once.
    """
    now = time.monotonic()
    with _lock:
        hit = _local.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]  # type: ignore[no-any-return]
    shared = cache.get(key)
    if shared is not None and shared[0] > time.time():
        value = shared[1]
    elif (shared is None and meanwhile is None) or cache.add(f"{key}:renewing", 1, 10):
        value = compute()
        if value is not None:
            cache.set(key, (time.time() + seconds, value), seconds + STALE_FOR)
        cache.delete(f"{key}:renewing")
    elif shared is None:
        return meanwhile()  # type: ignore[misc]  # another process is computing it; not kept
    else:
        value = shared[1]  # another process is renewing it
    if value is None:
        return value  # type: ignore[return-value]
    with _lock:
        _local[key] = (now + seconds / 2, value)
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)
    return value  # type: ignore[no-any-return]


def forget(key: str) -> None:
    """Drop a value here and in the shared cache; other processes let go of theirs within its freshness."""
    with _lock:
        _local.pop(key, None)
    cache.delete(key)


def forget_local() -> None:
    with _lock:
        _local.clear()
