"""Supporters confirming at the same moment: the proposal goes to review exactly once."""

import importlib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from standwith.campaigns.models import Organization, Petition
from standwith.proposals import services
from standwith.signing.emails import parse_address
from standwith.staff.models import AuditRecord

# A test that commits must be emptied afterwards, and the audit log's
# triggers refuse that: they are lifted for the emptying and then restored.
_triggers = importlib.import_module("standwith.staff.migrations.0002_audit_append_only")


@pytest.fixture(scope="module")
def _audit_triggers_restored(django_db_blocker: Any) -> Iterator[None]:
    yield
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        _triggers.add_triggers(apps, editor)


@pytest.fixture
def audit_log_emptied_after(_audit_triggers_restored: None) -> Iterator[None]:
    yield
    with connection.schema_editor() as editor:
        _triggers.drop_triggers(apps, editor)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one writer at a time, so this race cannot happen there; and its in-memory test "
    "database locks whole tables across threads (the CI's PostgreSQL run covers this test)",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_log_emptied_after")
def test_the_last_two_supporters_confirming_at_once_send_it_to_review_once(settings):
    settings.PROPOSAL_SUPPORTERS = 2
    organization = Organization.objects.create(slug="all-out", name="All Out", accepts_proposals=True)
    draft = services.Draft("Protect people fleeing Chechnya", "Visas now.", "Why.", "A. Minister", "Minister")

    def person(email: str) -> services.Person:
        return services.Person(name="Sam", email=parse_address(email), country="FR", language="en")

    proposal = services.propose(organization, draft, person("proposer@example.org"))
    services.confirm(proposal.supporters.get().pk)
    proposal.refresh_from_db()
    for email in ["a@example.org", "b@example.org"]:
        services.support(proposal, person(email))
    last_two = list(proposal.supporters.filter(is_proposer=False).values_list("pk", flat=True))
    barrier = threading.Barrier(len(last_two))

    def confirm(supporter_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.confirm(supporter_id)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(last_two)) as pool:
        for future in [pool.submit(confirm, pk) for pk in last_two]:
            future.result()

    assert Petition.objects.get().state == Petition.State.PENDING
    assert AuditRecord.objects.filter(action="petition.submit").count() == 1
