from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone

from standwith.outreach.models import SentMessage

SENT_RECORD_RETENTION = timedelta(days=60)


def send_once(key: str, message: EmailMultiAlternatives) -> bool:
    """Send a message unless one with this key was sent already.

    Returns whether it was sent now. The key is recorded after the mail
    server accepts the message: a crash between the two can repeat a
    message, which is better than losing one.
    """
    if SentMessage.objects.filter(key=key).exists():
        return False
    message.send()
    try:
        with transaction.atomic():
            SentMessage.objects.create(key=key)
    except IntegrityError:
        pass  # a concurrent run of the same task recorded it first
    return True


def purge_sent_records() -> int:
    deleted, _ = SentMessage.objects.filter(sent_at__lt=timezone.now() - SENT_RECORD_RETENTION).delete()
    return deleted
