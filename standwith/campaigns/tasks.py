from django_tasks import task

from standwith.campaigns import services
from standwith.campaigns.mails import mail_staff, milestone_mail
from standwith.campaigns.models import Milestone
from standwith.outreach.services import retrying


@task()
def record_milestones() -> int:
    return len(services.record_milestones())


@task()
def send_milestone_mail(milestone_id: int, attempt: int = 1) -> str:
    """Tell each of the petition's staff about the milestone; a retry skips those already told."""
    milestone = Milestone.objects.select_related("petition__organization").filter(pk=milestone_id).first()
    if milestone is None:
        return "milestone gone"
    # Retried, the whole list is gone through again; those told already are skipped.
    return retrying(
        attempt,
        lambda when: send_milestone_mail.using(run_after=when).enqueue(milestone_id, attempt + 1),
        lambda: mail_staff(
            milestone.petition, f"milestone:{milestone.pk}", lambda user: milestone_mail(milestone, user)
        ),
    )
