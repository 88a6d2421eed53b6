import smtplib

from django.utils import timezone
from django_tasks import task

from standwith.outreach.services import retry_delay, send_once
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
    try:
        sent = send_once(f"proposal:{mail_id}", message)
    except smtplib.SMTPRecipientsRefused:
        return "recipient refused"
    except (smtplib.SMTPException, OSError) as error:
        delay = retry_delay(attempt)
        if delay is None:
            raise
        send_proposal_mail.using(run_after=timezone.now() + delay).enqueue(
            supporter_id, kind, mail_id, reason, attempt + 1
        )
        return f"{type(error).__name__}; attempt {attempt + 1} in {delay}"
    return "sent" if sent else "sent before"


@task()
def purge_unconfirmed_proposals() -> int:
    return services.purge_unconfirmed()
