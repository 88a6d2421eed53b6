"""Named fixtures shared by every app's tests."""

from collections.abc import Iterator
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django_tasks_db.management.commands.db_worker import Worker

from standwith.campaigns.models import Organization, Petition, Target
from standwith.signing import crypto

ORIGIN = "http://testserver"


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    cache.clear()
    crypto.forget_keys()
    yield
    crypto.forget_keys()


@pytest.fixture
def organization(db: None) -> Organization:
    return Organization.objects.create(slug="all-out", name="All Out")


@pytest.fixture
def petition(organization: Organization) -> Petition:
    petition = Petition.objects.create(
        organization=organization,
        slug="free-them",
        title="Free them",
        summary="Two young men are in danger.",
        body="They were **detained**.",
        goal=1000,
        state=Petition.State.OPEN,
        verification=Petition.Verification.EMAIL,
    )
    petition.targets.add(Target.objects.create(name="A. President", role="President", country="US"))
    return petition


@pytest.fixture
def instant_petition(organization: Organization) -> Petition:
    """A petition whose signatures count before the signer confirms."""
    return Petition.objects.create(
        organization=organization,
        slug="count-at-once",
        title="Count at once",
        summary="Signatures count at once.",
        body="Body.",
        state=Petition.State.OPEN,
        verification=Petition.Verification.NONE,
    )


def sign_data(**overrides: Any) -> dict[str, Any]:
    data = {"name": "Ada Lovelace", "email": "ada@example.org", "country": "GB", "postcode": ""}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def sign(client: Client) -> Any:
    """Post the sign form as a browser on the site would."""

    def post(petition: Petition, **overrides: Any) -> Any:
        return client.post(f"/p/{petition.slug}/sign", sign_data(**overrides), headers={"Origin": ORIGIN})

    return post


@pytest.fixture
def run_tasks(db: None) -> Any:
    """Run every queued task that is due, as the worker would, and return how many ran."""

    def run() -> int:
        worker = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        )
        worker.run()
        return worker._run_tasks

    return run


def parse_mail(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=default_policy).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def mail_text(message: mail.EmailMessage) -> str:
    return str(message.body)
