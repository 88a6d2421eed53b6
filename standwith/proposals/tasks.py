from django_tasks import task

from standwith.outreach.services import deliver, retrying
from standwith.proposals import services
from standwith.proposals.mails import proposal_mail
from standwith.proposals.models import Supporter


@task()
def send_proposal_mail(supporter_id: int, kind: str, mail_id: str, reason: str = "", attempt: int = 1) -> str:
    supporter = Supporter.objects.select_related("proposal__petition__organization").filter(pk=supporter_id).first()
    if supporter is None:
        return "supporter gone"
    message = proposal_mail(supporter, kind, reason)
    if message is None:
        return "nothing to send"
    return retrying(
        attempt,
        lambda when: send_proposal_mail.using(run_after=when).enqueue(supporter_id, kind, mail_id, reason, attempt + 1),
        lambda: deliver(f"proposal:{mail_id}", message),
    )


@task()
def purge_unconfirmed_proposals() -> int:
    return services.purge_unconfirmed()
