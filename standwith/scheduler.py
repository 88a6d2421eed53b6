"""Periodic jobs, run by whichever worker claims them first.

Every worker ticks; a job's run is claimed with one conditional UPDATE of its
row, so with any number of workers on any number of machines each run is
enqueued once.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from standwith.models import ScheduledJob

JOBS: dict[str, tuple[str, timedelta]] = {
    "reconcile_counts": ("standwith.signing.tasks.reconcile_counts", timedelta(minutes=10)),
    "purge_network_digests": ("standwith.signing.tasks.purge_network_digests", timedelta(hours=1)),
    "erase_expired_personal_data": ("standwith.signing.tasks.erase_expired_personal_data", timedelta(days=1)),
    "purge_old_sent_records": ("standwith.outreach.tasks.purge_old_sent_records", timedelta(hours=6)),
    # A deadline is kept to the minute; signing already stops at the deadline itself.
    "close_due_petitions": ("standwith.staff.tasks.close_due_petitions", timedelta(minutes=1)),
    "purge_sign_in_attempts": ("standwith.staff.tasks.purge_sign_in_attempts", timedelta(minutes=15)),
    "record_milestones": ("standwith.campaigns.tasks.record_milestones", timedelta(minutes=1)),
    # A flood is met within a minute of starting.
    "watch_shields": ("standwith.shield.tasks.watch_shields", timedelta(minutes=1)),
    "purge_unconfirmed_proposals": ("standwith.proposals.tasks.purge_unconfirmed_proposals", timedelta(hours=6)),
    "purge_limit_counters": ("standwith.shield.tasks.purge_limit_counters", timedelta(minutes=10)),
    "purge_idempotent_requests": ("standwith.api.tasks.purge_idempotent_requests", timedelta(hours=1)),
}

_known: set[str] = set()


def tick(now: datetime | None = None) -> list[str]:
    """Enqueue the jobs that are due; returns their names."""
    now = now or timezone.now()
    if _known != set(JOBS):
        ScheduledJob.objects.bulk_create(
            [ScheduledJob(name=name, next_run_at=now) for name in JOBS], ignore_conflicts=True
        )
        _known.update(JOBS)
    enqueued = []
    for name, (task_path, every) in JOBS.items():
        with transaction.atomic():
            if ScheduledJob.objects.filter(name=name, next_run_at__lte=now).update(next_run_at=now + every):
                import_string(task_path).enqueue()
                enqueued.append(name)
    requeue_stalled(now)
    return enqueued


def requeue_stalled(now: datetime) -> int:
    """Run again a task still marked running long after it began: its worker
    was killed or its machine died. Every task here is idempotent."""
    stalled_since = now - timedelta(seconds=settings.TASK_STALLED_AFTER_SECONDS)
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=stalled_since).update(
        status=TaskResultStatus.READY, started_at=None
    )
