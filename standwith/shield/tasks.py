from django_tasks import task

from standwith.campaigns.mails import mail_staff
from standwith.campaigns.models import Petition
from standwith.outreach.services import retrying
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
    return retrying(
        attempt,
        lambda when: send_shield_mail.using(run_after=when).enqueue(petition_id, change, reason, mail_id, attempt + 1),
        lambda: mail_staff(
            petition.organization_id, f"shields:{mail_id}", lambda user: shield_mail(petition, user, change, reason)
        ),
    )
