from django_tasks import task

from standwith.shield import limits
from standwith.shield.models import LimitCounter


@task()
def purge_limit_counters() -> int:
    """Delete rate-limit counters whose windows are both over; returns how many."""
    deleted, _ = LimitCounter.objects.filter(expires_at__lt=limits.clock()).delete()
    return deleted
