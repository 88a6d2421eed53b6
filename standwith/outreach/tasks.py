from django_tasks import task

from standwith.outreach import mailings, sending
from standwith.outreach.models import Mailing
from standwith.outreach.services import purge_sent_records


@task()
def purge_old_sent_records() -> int:
    return purge_sent_records()


@task()
def prepare_mailing(mailing_id: int) -> int:
    mailing = Mailing.objects.select_related("update__case").filter(pk=mailing_id).first()
    return mailings.prepare(mailing) if mailing is not None else 0


@task()
def send_mailing(mailing_id: int, run: int, lane: int) -> str:
    """One lane of a mailing's sending, a slice at a time, so a worker asked to stop is free within seconds.

    Each slice queues the next before it ends; a slice whose worker died is run
    again by the scheduler's requeue of stalled tasks, and its batch by any lane.
    """
    carry_on_at = sending.work(mailing_id, run)
    if carry_on_at is None:
        return "lane done"
    send_mailing.using(run_after=carry_on_at).enqueue(mailing_id, run, lane)
    return "carrying on"
