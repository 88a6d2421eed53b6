from django_tasks import task

from standwith.staff import services


@task()
def close_due_petitions() -> int:
    return services.close_due_petitions()
