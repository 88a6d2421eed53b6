import time

import pytest

from standwith.cache import ResilientRedisCache
from standwith.conftest import free_port


@pytest.fixture
def dead_redis_url():
    return f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there


def test_it_treats_an_unreachable_redis_as_an_empty_cache(dead_redis_url):
    cache = ResilientRedisCache(dead_redis_url, {})

    cache.set("key", "value", 10)
    assert cache.get("key", "missing") == "missing"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("key", "value") is False
    assert cache.delete("key") is False


class CountingCache(ResilientRedisCache):
    attempts = 0

    def _guard(self, call, fallback):
        def counted():
            self.attempts += 1
            return call()

        return super()._guard(counted, fallback)


def test_it_stops_knocking_on_a_dead_redis_for_a_while(dead_redis_url, monkeypatch):
    cache = CountingCache(dead_redis_url, {})
    cache.get("first")  # fails, and marks Redis down

    for _ in range(100):
        cache.get("again")
    assert cache.attempts == 1

    monkeypatch.setattr(time, "monotonic", lambda: cache._down_until + 1)
    cache.get("later")
    assert cache.attempts == 2


@pytest.mark.django_db
def test_it_keeps_signing_and_serving_pages_while_redis_is_down(settings, dead_redis_url, sign, petition, client):
    settings.CACHES = {"default": {"BACKEND": "standwith.cache.ResilientRedisCache", "LOCATION": dead_redis_url}}

    assert client.get(f"/en/p/{petition.slug}/").status_code == 200
    assert sign(petition).status_code == 303
    assert client.get(f"/api/v1/petitions/{petition.slug}").json()["signature_count"] == 0
