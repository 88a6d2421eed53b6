"""Several copies of one API request, same Idempotency-Key, reaching the real server at the same instant.

Run against the site in its own processes, so the race is a real one on either database: SQLite's file
(writers queue on its lock) and PostgreSQL (the second insert of the key waits on the unique index).
"""

import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import pytest

from standwith.e2e.site import Site, run_command_ok

pytestmark = pytest.mark.e2e

SLUG = "free-salekh-and-ismail"
AT_ONCE = 8
SETUP = """
from django.contrib.auth.models import User
from standwith.api import services
from standwith.api.models import Scope
from standwith.campaigns.models import Petition
user, _ = User.objects.get_or_create(username="race-admin", defaults={"is_superuser": True, "is_staff": True})
petition = Petition.objects.get(slug="free-salekh-and-ismail")
_, secret = services.create_token(user, petition.organization, "race", [Scope.RECORD_SIGNATURES], client_ip=None)
print(secret)
"""


def post_all_at_once(site: Site, secret: str, key: str, body: str) -> list[tuple[int, bytes]]:
    barrier = threading.Barrier(AT_ONCE)
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json", "Idempotency-Key": key}

    def post(_: int) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", site.server.port, timeout=60)
        try:
            connection.connect()
            barrier.wait(timeout=30)
            connection.request("POST", f"/api/v1/organization/petitions/{SLUG}/signatures", body, headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        return list(pool.map(post, range(AT_ONCE)))


def test_it_records_once_and_answers_alike_when_copies_of_one_request_race(site: Site):
    secret = run_command_ok(site.env, "shell", "-c", SETUP).strip().splitlines()[-1]
    key = f"stall-batch-{uuid4().hex}"
    address = f"race-{uuid4().hex[:8]}@example.org"
    body = json.dumps({"name": "Мария Гонка", "email": address, "country": "DE"})
    before = site.signatures(SLUG)

    answers = post_all_at_once(site, secret, key, body)

    assert {status for status, _ in answers} == {202}, answers
    assert len({content for _, content in answers}) == 1
    assert site.signatures(SLUG) == before + 1
    assert site.database.count("api_idempotentrequest", "key = %s", key) == 1
    site.wait_for_mail_queue()
    assert len(site.mails_to(address)) == 1
