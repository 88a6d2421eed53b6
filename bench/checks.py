"""What the bench verifies against the database and the mail sink after load."""

import json
import time
from collections import Counter
from pathlib import Path

from django.db.models import Q
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from standwith.signing import counting, digests
from standwith.signing.emails import parse_address
from standwith.signing.models import Signature


def stored(petition_id: int, emails: list[str]) -> set[str]:
    """Which of these addresses have a signature on the petition."""
    by_digest = {digests.email_digest(petition_id, parse_address(e).canonical): e for e in emails}
    found: set[str] = set()
    keys = list(by_digest)
    for start in range(0, len(keys), 2000):
        rows = Signature.objects.filter(petition_id=petition_id, email_digest__in=keys[start : start + 2000])
        found.update(by_digest[bytes(d)] for d in rows.values_list("email_digest", flat=True))
    return found


MAIL_TASK = "standwith.signing.tasks.send_signature_mail"
BUSY = Q(status=TaskResultStatus.READY) | Q(status=TaskResultStatus.RUNNING)


def mail_backlog() -> int:
    return DBTaskResult.objects.filter(BUSY, task_path=MAIL_TASK).count()


def wait_for_mail_tasks(timeout: float = 120) -> bool:
    """Wait until no signer email is waiting or being sent; False if still busy at the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not DBTaskResult.objects.filter(BUSY, task_path=MAIL_TASK).exists():
            return True
        time.sleep(0.5)
    return False


def confirmation_mails(mail_log: Path) -> Counter[str]:
    mails: Counter[str] = Counter()
    if mail_log.exists():
        for line in mail_log.read_text().splitlines():
            entry = json.loads(line)
            if entry["subject"].startswith("Please confirm"):
                mails[entry["to"]] += 1
    return mails


def mail_accounting(accepted: list[str], mail_log: Path) -> dict[str, int]:
    mails = confirmation_mails(mail_log)
    return {
        "duplicate_emails": sum(1 for e in accepted if mails[e.lower()] > 1),
        "missing_emails": sum(1 for e in accepted if mails[e.lower()] == 0),
    }


def count_is_exact(petition_id: int) -> bool:
    validated = Signature.objects.filter(petition_id=petition_id, state=Signature.State.VALIDATED).count()
    return counting.stored_count(petition_id) == validated
