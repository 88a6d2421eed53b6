from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from standwith import scheduler
from standwith.models import ScheduledJob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _unknown_jobs():
    scheduler._known.clear()


def test_it_enqueues_every_job_on_the_first_tick():
    assert sorted(scheduler.tick()) == sorted(scheduler.JOBS)
    assert DBTaskResult.objects.count() == len(scheduler.JOBS)


def test_it_enqueues_a_job_once_however_many_workers_tick():
    now = timezone.now()
    scheduler.tick(now)

    for _ in range(3):
        assert scheduler.tick(now + timedelta(seconds=5)) == []
    assert DBTaskResult.objects.count() == len(scheduler.JOBS)


def test_it_enqueues_a_job_again_when_it_is_due():
    now = timezone.now()
    scheduler.tick(now)

    due = scheduler.tick(now + timedelta(minutes=11))

    assert "reconcile_counts" in due
    assert "purge_network_digests" not in due
    assert ScheduledJob.objects.get(name="reconcile_counts").next_run_at == now + timedelta(minutes=21)


def test_it_runs_again_a_task_whose_worker_died():
    scheduler.tick()
    stalled, waiting, *_ = DBTaskResult.objects.all()
    long_ago = timezone.now() - timedelta(hours=1)
    DBTaskResult.objects.filter(pk=stalled.pk).update(status=TaskResultStatus.RUNNING, started_at=long_ago)
    DBTaskResult.objects.filter(pk=waiting.pk).update(status=TaskResultStatus.RUNNING, started_at=timezone.now())

    assert scheduler.requeue_stalled(timezone.now()) == 1

    stalled.refresh_from_db()
    waiting.refresh_from_db()
    assert stalled.status == TaskResultStatus.READY
    assert waiting.status == TaskResultStatus.RUNNING
