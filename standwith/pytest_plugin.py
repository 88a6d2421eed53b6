"""Loaded before Django starts (`-p standwith.pytest_plugin`): the test environment.

Tests run with DEBUG off, as production does, on fixed test-only keys and a
throwaway data folder. The database and cache are whatever DATABASE_URL and
REDIS_URL say: `.ci/run` runs the suite once on SQLite and once on
PostgreSQL + Redis.
"""

import base64
import os
import tempfile

os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("STANDWITH_MASTER_KEY", base64.urlsafe_b64encode(b"M" * 32).decode())
os.environ.setdefault("STANDWITH_DIGEST_KEY", base64.urlsafe_b64encode(b"D" * 32).decode())
os.environ["STANDWITH_DATA_DIR"] = tempfile.mkdtemp(prefix="standwith-test-")
os.environ.setdefault("STANDWITH_CACHE_PREFIX", f"sw-test-{os.getpid()}")
# Playwright's sync API runs an event loop in the test thread; the ORM calls
# the tests make beside it are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
