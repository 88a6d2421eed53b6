"""The suite runs on the stack CI asked for; it never falls back quietly."""

import os

import pytest
from django.core.cache import cache, caches
from django.db import connection

pytestmark = pytest.mark.django_db


def test_it_runs_on_the_database_the_environment_names():
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"

    assert connection.vendor == expected


def test_it_uses_the_cache_the_environment_names():
    backend = type(caches["default"]).__name__
    assert backend == ("ResilientRedisCache" if os.environ.get("REDIS_URL") else "LocMemCache")
    cache.set("stack-check", "Салех", 5)
    assert cache.get("stack-check") == "Салех"
