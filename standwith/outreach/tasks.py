from django_tasks import task

from standwith.outreach.services import purge_sent_records


@task()
def purge_old_sent_records() -> int:
    return purge_sent_records()
