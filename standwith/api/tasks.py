from django_tasks import task

from standwith.api import services


@task()
def purge_idempotent_requests() -> int:
    return services.purge_idempotent_requests()
