import smtplib

from django.utils import timezone
from django_tasks import task

from standwith.campaigns.mails import mail_staff
from standwith.campaigns.models import Petition
from standwith.outreach.services import retry_delay
from standwith.shield import limits, shields
from standwith.shield.mails import shield_mail
from standwith.shield.models import LimitCounter


@task()
def purge_limit_counters() -> int:
    """Delete rate-limit counters whose windows are both over; returns how many."""
    deleted, _ = LimitCounter.objects.filter(expires_at__lt=limits.clock()).delete()
    return deleted


@task()
def watch_shields() -> int:
    """Raise or lower automatic shields; returns how many petitions changed."""
    return len(shields.watch())


@task()
def send_shield_mail(petition_id: int, change: str, reason: str, mail_id: str, attempt: int = 1) -> str:
    """Tell the petition's staff its shields went up or came down; a retry skips those already told."""
    petition = Petition.objects.select_related("organization").filter(pk=petition_id).first()
    if petition is None:
        return "petition gone"
    try:
        sent = mail_staff(petition, f"shields:{mail_id}", lambda user: shield_mail(petition, user, change, reason))
    except (smtplib.SMTPException, OSError) as error:
        delay = retry_delay(attempt)
        if delay is None:
            raise
        send_shield_mail.using(run_after=timezone.now() + delay).enqueue(
            petition_id, change, reason, mail_id, attempt + 1
        )
        return f"{type(error).__name__}; attempt {attempt + 1} in {delay}"
    return f"sent {sent}"
