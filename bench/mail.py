"""The mail step: a mailing to many signers through the local SMTP sink, then again with a worker killed.

The baseline is the same number of messages, built beforehand, pushed to the
same sink by smtplib in a plain loop: what the sink and the loopback can take
at all. The mailing goes through the real task workers of `standwith serve`,
choosing its recipients, decrypting each address, rendering, throttling and
recording every delivery; the ratio says what all of that costs.
"""

import json
import smtplib
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from bench.stack import Stack

CHUNK = 5_000
# The stack runs with these, so that the throttle never binds and a dead worker's batch is taken over quickly.
ENV = {"STANDWITH_MAILING_RATE": "1000000", "STANDWITH_MAILING_LEASE_SECONDS": "10"}


def run(stack: Stack, signers: int, say: Any = print) -> dict[str, Any]:
    from django.contrib.auth.models import User

    from standwith.campaigns.demo import SLUG
    from standwith.campaigns.models import Petition
    from standwith.outreach import composing, mailings

    campaign = Petition.objects.select_related("case", "organization").get(slug=SLUG)
    assert campaign.case is not None, "the demo petition belongs to its case"
    case = campaign.case
    say(f"mail: seeding {signers:,} consenting, confirmed signers")
    started = time.monotonic()
    petition = _seed(campaign, signers)
    seeded_s = round(time.monotonic() - started, 1)
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_staff": True, "is_superuser": True})

    def mailing(title: str) -> Any:
        from standwith.campaigns.models import Update

        update = Update.objects.create(
            case=case, title=title, body="They were **moved** again.", published_at=timezone.now()
        )
        return mailings.create_mailing(campaign.organization, update, [petition], created_by=admin)

    first = mailing("Mail bench: the mailing")
    baseline = composing.Stamp(first, replace(composing.letter(first, "en"), subject="Mail bench: baseline"))
    say("mail: baseline, the same messages prebuilt and sent by smtplib in a plain loop")
    baseline_per_s = _baseline(first, baseline, signers)

    say("mail: the mailing, through the task workers")
    per_s, took_s = _send(first, admin, signers)

    second = mailing("Mail bench: a worker killed")
    say("mail: again, killing a task worker a third of the way through")
    killed_at = _send_and_kill(stack, second, admin, signers)
    sent = _sent_to(stack.mail_log, "Mail bench: a worker killed")
    expected = {_address(i) for i in range(signers)}
    return {
        "signers": signers,
        "seeded_in_s": seeded_s,
        "baseline_per_s": baseline_per_s,
        "per_s": per_s,
        "took_s": took_s,
        "mail_ratio": round(per_s / baseline_per_s, 3),
        "killed_after": killed_at,
        "duplicates": sum(count - 1 for count in sent.values() if count > 1),
        "missing": len(expected - set(sent)),
        "strays": len(set(sent) - expected),
        "workers": int(stack.env.get("STANDWITH_TASK_WORKERS") or 2),
        "lanes": settings.MAILING_LANES,
    }


def _address(index: int) -> str:
    return f"mail-bench-{index}@example.org"


def _seed(campaign: Any, signers: int) -> Any:
    """A petition of the demo campaign whose signers all agreed to its updates, stored as the sign path stores them."""
    from standwith.campaigns.models import Petition
    from standwith.signing import crypto, digests
    from standwith.signing.models import Signature

    petition = Petition.objects.create(
        organization=campaign.organization,
        case=campaign.case,
        slug="mail-bench",
        title="Mail bench",
        summary="Signers for the mail step.",
        body=".",
        state=Petition.State.OPEN,
    )
    now = timezone.now()
    for start in range(0, signers, CHUNK):
        Signature.objects.bulk_create(
            Signature(
                petition=petition,
                email_digest=digests.email_digest(petition.pk, _address(i)),
                email_encrypted=crypto.encrypt(petition.pk, "email", _address(i)),
                name_encrypted=crypto.encrypt(petition.pk, "name", "Bench Signer"),
                country="GB",
                language="en",
                consent_campaign_updates=True,
                state=Signature.State.VALIDATED,
                created_at=now,
                validated_at=now,
                confirmed_at=now,
            )
            for i in range(start, min(start + CHUNK, signers))
        )
    return petition


def _baseline(mailing: Any, stamp: Any, signers: int) -> float:
    from standwith.outreach import composing

    messages = []
    for i in range(signers):
        envelope = composing.envelope(mailing, _address(i), delivery_id=i + 1, signature_id=i + 1, language="en")
        raw = stamp.copy(envelope).message().as_bytes(linesep="\r\n")
        messages.append((envelope.return_path, envelope.to, raw))
    client = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT)
    try:
        started = time.monotonic()
        for sender, to, data in messages:
            client.sendmail(sender, [to], data)
        took = time.monotonic() - started
    finally:
        client.quit()
    return round(signers / took, 1)


def _wait(mailing: Any, until: Any, timeout: float) -> Any:
    from standwith.outreach import mailings

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        progress = mailings.progress(mailing)
        if until(progress):
            return progress
        time.sleep(0.2)
    raise RuntimeError(f"mailing {mailing.pk} stuck: {mailings.progress(mailing)}")


def _send(mailing: Any, admin: Any, signers: int) -> tuple[float, float]:
    from standwith.outreach import mailings

    started = time.monotonic()
    mailings.start(mailing, admin)
    progress = _wait(mailing, lambda p: p.state == "finished", timeout=max(600, signers / 20))
    took = time.monotonic() - started
    assert progress.sent == signers, progress
    return round(signers / took, 1), round(took, 1)


def _send_and_kill(stack: Stack, mailing: Any, admin: Any, signers: int) -> int:
    from standwith.outreach import mailings

    mailings.start(mailing, admin)
    progress = _wait(mailing, lambda p: p.sent >= signers // 3, timeout=max(600, signers / 20))
    stack.kill_task_worker()
    _wait(mailing, lambda p: p.state == "finished", timeout=max(900, signers / 20))
    return int(progress.sent)


def _sent_to(mail_log: Path, subject: str) -> Counter[str]:
    sent: Counter[str] = Counter()
    # The sink writes each line as the message arrives: give it a moment to catch up with the last ones.
    time.sleep(1)
    for line in mail_log.read_text().splitlines():
        entry = json.loads(line)
        if entry["subject"] == subject:
            sent[entry["to"]] += 1
    return sent
