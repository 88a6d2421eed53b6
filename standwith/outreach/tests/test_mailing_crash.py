"""A worker stopped mid-send (killed with SIGKILL, or asked to stop with SIGTERM), then another
resuming, against a real SMTP server: nobody is skipped, and only a kill can repeat a message, at
most the one in flight.

That one is the window RFC 1047 describes, which no SMTP client can close: the
server has taken the message, and the worker dies before its record of it
commits. sending.py makes it as short as it can be; this test would fail on a
resume that sent a batch again, or one that skipped what was left of it.
"""

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from standwith.conftest import SmtpSink, free_port
from standwith.e2e.site import Database, provisioned, run_command_ok, wait_until

SIGNERS = 400

SETUP = f"""
from datetime import timedelta
from django.contrib.auth.models import User
from django.utils import timezone
from standwith.campaigns.models import Case, Organization, Petition, Update
from standwith.outreach import mailings
from standwith.signing import crypto, digests
from standwith.signing.models import Signature

organization = Organization.objects.create(slug="all-out", name="All Out")
case = Case.objects.create(organization=organization, slug="the-two", title="The two", summary="Two men.")
update = Update.objects.create(case=case, title="Moved", body="They were moved.", published_at=timezone.now())
petition = Petition.objects.create(
    organization=organization, case=case, slug="free-them", title="Free them", summary=".", body=".", state="open"
)
now = timezone.now()
Signature.objects.bulk_create(
    Signature(
        petition=petition,
        email_digest=digests.email_digest(petition.pk, f"signer{{i}}@example.org"),
        email_encrypted=crypto.encrypt(petition.pk, "email", f"signer{{i}}@example.org"),
        name_encrypted=crypto.encrypt(petition.pk, "name", "A Signer"),
        country="GB", language="en", consent_campaign_updates=True, state="validated",
        created_at=now, validated_at=now, confirmed_at=now,
    )
    for i in range({SIGNERS})
)
admin = User.objects.create_superuser("admin", "admin@example.org")
mailings.start(mailings.create_mailing(organization, update, [petition], created_by=admin), admin)
"""


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "standwith", "worker", "--interval", "0.1", "--tick", "1"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture
def sink():
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


@pytest.mark.parametrize(
    ("stop", "repeats_at_most"),
    [
        # Killed outright: at most the one message in flight can go twice (the window above).
        (signal.SIGKILL, 1),
        # Asked to stop: the message in hand is finished and recorded, and nothing goes twice.
        (signal.SIGTERM, 0),
    ],
)
def test_it_resumes_after_a_worker_stops_mid_send_without_skipping_anyone(tmp_path, sink, stop, repeats_at_most):
    server, port = sink
    with provisioned(tmp_path) as (env, database):
        env.update(
            EMAIL_URL=f"smtp://127.0.0.1:{port}",
            STANDWITH_MAILING_RATE="300",
            STANDWITH_MAILING_BATCH_SIZE="10",
            STANDWITH_MAILING_LANES="2",
            STANDWITH_MAILING_LEASE_SECONDS="5",
            STANDWITH_TASK_STALLED_SECONDS="10",
        )
        run_command_ok(env, "shell", "-c", SETUP)
        first = start_worker(env, tmp_path / "worker1.log")
        try:
            wait_until(lambda: len(server.messages) >= SIGNERS // 4 or None, 60, "the first messages")
            os.kill(first.pid, stop)
            first.wait(15)
        finally:
            if first.poll() is None:
                first.kill()
        assert len(server.messages) < SIGNERS, "the mailing finished before the stop; the test proves nothing"

        second = start_worker(env, tmp_path / "worker2.log")
        try:
            wait_until(lambda: finished(database) or None, 90, "the mailing to finish")
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(20)

        received = Counter(address for _sender, addresses, _message in server.messages for address in addresses)
        expected = {f"signer{i}@example.org" for i in range(SIGNERS)}
        assert expected - set(received) == set()  # nobody skipped
        assert set(received) == expected
        assert sum(count - 1 for count in received.values()) <= repeats_at_most
        assert database.query("SELECT recipients, sent, failed, skipped FROM outreach_mailing") == [
            (SIGNERS, SIGNERS, 0, 0)
        ]
        assert database.count("outreach_delivery", "state = 'sent'") == SIGNERS


def finished(database: Database) -> bool:
    return bool(database.value("SELECT state FROM outreach_mailing") == "finished")
