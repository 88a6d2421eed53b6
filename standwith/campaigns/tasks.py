import smtplib

from django.utils import timezone
from django_tasks import task

from standwith.campaigns import services
from standwith.campaigns.mails import mail_staff, milestone_mail
from standwith.campaigns.models import Milestone
from standwith.outreach.services import retry_delay


@task()
def record_milestones() -> int:
    return len(services.record_milestones())


@task()
def send_milestone_mail(milestone_id: int, attempt: int = 1) -> str:
    """Tell each of the petition's staff about the milestone; a retry skips those already told."""
    milestone = Milestone.objects.select_related("petition__organization").filter(pk=milestone_id).first()
    if milestone is None:
        return "milestone gone"
    try:
        sent = mail_staff(milestone.petition, f"milestone:{milestone.pk}", lambda user: milestone_mail(milestone, user))
    except (smtplib.SMTPException, OSError) as error:
        # The mail server is down or busy: the whole list again later; those told are skipped then.
        delay = retry_delay(attempt)
        if delay is None:
            raise
        send_milestone_mail.using(run_after=timezone.now() + delay).enqueue(milestone_id, attempt + 1)
        return f"{type(error).__name__}; attempt {attempt + 1} in {delay}"
    return f"sent {sent}"
