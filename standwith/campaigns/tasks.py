from django_tasks import task

from standwith.campaigns import services
from standwith.campaigns.mails import mail_staff, milestone_mail, submission_mail
from standwith.campaigns.models import Milestone, ResponseSubmission
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
            milestone.petition.organization_id,
            f"milestone:{milestone.pk}",
            lambda user: milestone_mail(milestone, user),
        ),
    )


@task()
def send_target_mail(milestone_id: int, attempt: int = 1) -> str:
    """Send the petition to each of its targets with an address; a retry skips those already sent it."""
    milestone = Milestone.objects.select_related("petition__organization").filter(pk=milestone_id).first()
    if milestone is None:
        return "milestone gone"
    return retrying(
        attempt,
        lambda when: send_target_mail.using(run_after=when).enqueue(milestone_id, attempt + 1),
        lambda: services.mail_targets(milestone),
    )


@task()
def send_submission_mail(submission_id: int, attempt: int = 1) -> str:
    """Tell the petition's staff that a target answered through their link, so they can check and record it."""
    submission = (
        ResponseSubmission.objects.select_related("petition__organization", "target").filter(pk=submission_id).first()
    )
    if submission is None:
        return "submission gone"
    return retrying(
        attempt,
        lambda when: send_submission_mail.using(run_after=when).enqueue(submission_id, attempt + 1),
        lambda: mail_staff(
            submission.petition.organization_id,
            f"submission:{submission.pk}",
            lambda user: submission_mail(submission, user),
        ),
    )
