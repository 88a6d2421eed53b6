from django_tasks import task

from standwith.staff import services


@task()
def close_due_petitions() -> int:
    return services.close_due_petitions()


@task()
def purge_sign_in_attempts() -> int:
    """Forget failed staff sign-ins once they no longer count towards a lock: they hold full addresses."""
    return services.purge_sign_in_attempts()
