from django_tasks import task

from standwith.campaigns.mails import mail_staff
from standwith.outreach.services import retrying
from standwith.outreach.webhooks import services
from standwith.outreach.webhooks.mails import disabled_notice
from standwith.outreach.webhooks.models import Endpoint


@task()
def deliver(delivery_id: int, attempt: int) -> str:
    """Post a delivery (attempt number `attempt`); a repeated or overtaken run does nothing."""
    return services.attempt(delivery_id, attempt)


@task()
def send_disabled_notice(endpoint_id: int, disabled_at: int, attempt: int = 1) -> str:
    """Tell the organisation's campaigners and admins that the site disabled an endpoint; each once."""
    endpoint = Endpoint.objects.select_related("organization").filter(pk=endpoint_id).first()
    if endpoint is None:
        return "endpoint gone"
    return retrying(
        attempt,
        lambda when: send_disabled_notice.using(run_after=when).enqueue(endpoint_id, disabled_at, attempt + 1),
        lambda: mail_staff(
            endpoint.organization_id,
            f"webhook-off:{endpoint_id}:{disabled_at}",
            lambda user: disabled_notice(endpoint, user),
        ),
    )
