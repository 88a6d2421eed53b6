"""Named fixtures shared by every app's tests."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.management.commands.db_worker import Worker

from standwith import freshcache, scheduler
from standwith.campaigns.demo import load_demo
from standwith.campaigns.models import Organization, Petition, Target, Translation
from standwith.signing import crypto

ORIGIN = "http://testserver"


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    cache.clear()
    freshcache.forget_local()
    crypto.forget_keys()
    # The scheduler remembers, per process, that it made its job rows; each test's database starts without them.
    scheduler._known.clear()
    # A request leaves its language active in the thread (LocaleMiddleware does not undo it): each test starts
    # in the site's own language, whatever the one before it asked for.
    translation.activate(settings.LANGUAGE_CODE)
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
def campaign(db: None) -> Petition:
    """The demo campaign: a petition with its whole case, in English and Russian."""
    return load_demo()


def otp_login(client: Client, user: User) -> TOTPDevice:
    """Sign a staff member in as the admin requires, password and app code, for tests about what comes after."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client.force_login(user)
    # What django_otp.login() keeps in the session once a code is accepted.
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def app_code(device: TOTPDevice) -> str:
    """The code the staff member's authenticator app shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def translate(item: Any, language: str, **fields: str) -> None:
    for field, text in fields.items():
        Translation.objects.create(item=item, language=language, field=field, text=text)


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
        return client.post(f"/en/p/{petition.slug}/sign", sign_data(**overrides), headers={"Origin": ORIGIN})

    return post


@pytest.fixture
def run_tasks(db: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run every queued task that is due, as the worker would, and return how many ran."""
    # The worker drops stale connections between tasks; inside a test's
    # transaction that would close the test's own connection (Django's test
    # cases unhook the same function from request signals for this reason).
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

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


_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@contextmanager
def data_statements() -> Iterator[list[str]]:
    """The SQL statements run inside the block, less transaction control.

    Tests run inside a transaction, so the code's own transactions show up
    as savepoints here, where production has BEGIN and COMMIT; those are
    left out so a pinned count means the same in both.
    """
    statements: list[str] = []
    with CaptureQueriesContext(connection) as context:
        yield statements
    statements.extend(q["sql"] for q in context.captured_queries if not q["sql"].startswith(_TRANSACTION_CONTROL))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpSink:
    """A real SMTP server on loopback that keeps what it is sent."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.refused: set[str] = set()
        self.sessions = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parse_mail(envelope.original_content)))
        return "250 Message accepted"


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[SmtpSink]:
    """Send the site's mail over SMTP to a local sink, as production sends it to a relay."""
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield sink
    controller.stop()
