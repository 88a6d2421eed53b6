import smtplib
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.mail import EmailMessage
from django.db import OperationalError, close_old_connections
from django.utils import timezone

from standwith.outreach import connection
from standwith.outreach.models import SentMessage

SENT_RECORD_RETENTION = timedelta(days=60)
MAX_ATTEMPTS = 12
RECORD_RETRY_PAUSES = [0.2, 0.5, 1, 2, 4, 8, 15, 30]


def send_once(key: str, message: EmailMessage) -> bool:
    """Send a message unless one with this key was sent already.

    Returns whether it was sent now. The key is recorded after the mail
    server accepts the message: a crash between the two can repeat a
    message, which is better than losing one.
    """
    if SentMessage.objects.filter(key=key).exists():
        return False
    connection.send(message)
    _record_sent(key)
    return True


def deliver(key: str, message: EmailMessage) -> str:
    """Send a message once (see send_once), as a task reports it; an address the server refuses is not retried."""
    try:
        return "sent" if send_once(key, message) else "sent before"
    except smtplib.SMTPRecipientsRefused:
        return "recipient refused"


def retrying(attempt: int, again: Callable[[datetime], object], send: Callable[[], str]) -> str:
    """Run a task's `send`; if the mail server is down or busy, schedule `again` for later and say so."""
    try:
        return send()
    except (smtplib.SMTPException, OSError) as error:
        delay = retry_delay(attempt)
        if delay is None:
            raise
        again(timezone.now() + delay)
        return f"{type(error).__name__}; attempt {attempt + 1} in {delay}"


def retry_delay(attempt: int) -> timedelta | None:
    """How long to wait before trying again a mail the server could not take; None once attempts run out.

    Doubling up to six hours: an outage of the mail server delays mail but loses none.
    """
    if attempt >= MAX_ATTEMPTS:
        return None
    return timedelta(seconds=min(30 * 2**attempt, 6 * 3600))


def _record_sent(key: str) -> None:
    # The message has left: if the database is briefly unreachable (a
    # restart, a failover), keep trying to record it rather than fail the
    # task, whose retry would send the message a second time.
    for pause in [*RECORD_RETRY_PAUSES, None]:
        try:
            # One statement; a concurrent run that recorded it first is no conflict.
            SentMessage.objects.bulk_create([SentMessage(key=key)], ignore_conflicts=True)
            return
        except OperationalError:
            if pause is None:
                raise
            close_old_connections()
            time.sleep(pause)


def purge_sent_records() -> int:
    deleted, _ = SentMessage.objects.filter(sent_at__lt=timezone.now() - SENT_RECORD_RETENTION).delete()
    return deleted
