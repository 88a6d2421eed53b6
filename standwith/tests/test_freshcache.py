import time

import pytest
from django.core.cache import cache

from standwith import freshcache


@pytest.fixture
def computed():
    calls = []

    def compute():
        calls.append(1)
        return f"value {len(calls)}"

    compute.calls = calls
    return compute


def test_it_computes_once_and_then_serves_from_memory(computed):
    assert freshcache.fresh("k", 1, computed) == "value 1"
    assert freshcache.fresh("k", 1, computed) == "value 1"

    assert len(computed.calls) == 1


def test_it_shares_a_value_between_processes_through_the_shared_cache(computed):
    freshcache.fresh("k", 1, computed)
    freshcache.forget_local()  # as another process would see it

    assert freshcache.fresh("k", 1, computed) == "value 1"
    assert len(computed.calls) == 1


def test_it_renews_a_stale_value(computed):
    freshcache.fresh("k", 1, computed)
    freshcache.forget_local()
    cache.set("k", (time.time() - 1, "value 1"), 60)  # went stale a second ago

    assert freshcache.fresh("k", 1, computed) == "value 2"


def test_it_serves_the_stale_value_while_another_process_renews_it(computed):
    freshcache.fresh("k", 1, computed)
    freshcache.forget_local()
    cache.set("k", (time.time() - 1, "value 1"), 60)
    cache.add("k:renewing", 1, 10)  # someone else is at it

    assert freshcache.fresh("k", 1, computed) == "value 1"
    assert len(computed.calls) == 1


def test_it_does_not_keep_none():
    calls = []

    def nothing():
        calls.append(1)

    assert freshcache.fresh("k", 1, nothing) is None
    assert freshcache.fresh("k", 1, nothing) is None
    assert len(calls) == 2


def test_it_forgets_here_and_in_the_shared_cache(computed):
    freshcache.fresh("k", 1, computed)

    freshcache.forget("k")

    assert freshcache.fresh("k", 1, computed) == "value 2"


def test_it_keeps_a_bounded_number_of_values_in_memory(computed, monkeypatch):
    monkeypatch.setattr(freshcache, "LOCAL_ENTRIES", 3)

    for n in range(10):
        freshcache.fresh(f"k{n}", 1, computed)

    assert list(freshcache._local) == ["k7", "k8", "k9"]


def test_it_lets_one_caller_count_a_slow_value_while_the_others_get_meanwhile():
    cache.add("slow:renewing", 1, 10)  # another process is counting it for the first time

    def boom() -> str:
        raise AssertionError("counted twice at once")

    assert freshcache.fresh("slow", 60, boom, meanwhile=lambda: "not yet") == "not yet"
    assert cache.get("slow") is None  # what a waiting caller got is not kept


def test_it_counts_a_slow_value_when_nobody_else_is():
    assert freshcache.fresh("slow", 60, lambda: "counted", meanwhile=lambda: "not yet") == "counted"
    assert freshcache.fresh("slow", 60, lambda: "again", meanwhile=lambda: "not yet") == "counted"
