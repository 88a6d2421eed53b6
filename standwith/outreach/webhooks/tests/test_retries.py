from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from standwith.conftest import free_port
from standwith.outreach.webhooks import sending, services
from standwith.outreach.webhooks.models import Delivery
from standwith.outreach.webhooks.tests.conftest import make_endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(organization, endpoint):
    (made,) = services.emit(organization.pk, "mailing.finished", {"mailing": {"id": 1}})
    return made


def queued_retries():
    return list(DBTaskResult.objects.filter(status="READY").order_by("run_after"))


def test_it_waits_a_minute_doubling_up_to_four_hours_and_tries_for_a_day():
    delays = []
    waited = timedelta(0)
    attempt = 1
    while waited + services.retry_delay(attempt) <= services.RETRY_FOR:
        delays.append(services.retry_delay(attempt))
        waited += delays[-1]
        attempt += 1

    minutes = [delay.total_seconds() / 60 for delay in delays]
    assert minutes == [1, 2, 4, 8, 16, 32, 64, 128, 240, 240, 240, 240]
    assert len(delays) + 1 == 13  # attempts in all
    assert services.retry_delay(40) == timedelta(hours=4)


def test_it_schedules_the_next_attempt_a_minute_after_a_server_error(delivery, receiver, run_tasks):
    receiver.mode = "fail"

    run_tasks()

    delivery.refresh_from_db()
    assert len(receiver.requests) == 1
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert delivery.response_excerpt == "something broke"
    assert delivery.next_attempt_at - delivery.last_attempt_at == pytest.approx(
        timedelta(minutes=1), abs=timedelta(seconds=2)
    )
    (retry,) = queued_retries()
    assert retry.args_kwargs["args"] == [delivery.pk, 2]
    assert retry.run_after == delivery.next_attempt_at


def test_it_succeeds_on_a_later_attempt_once_the_receiver_works_again(delivery, receiver, run_tasks):
    receiver.mode = "fail"
    run_tasks()
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())  # the minute has passed
    receiver.mode = "ok"

    run_tasks()

    delivery.refresh_from_db()
    assert len(receiver.requests) == 2
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempts == 2
    assert delivery.endpoint.consecutive_failures == 0
    assert queued_retries() == []


def test_it_doubles_the_wait_after_each_failure(delivery, receiver, run_tasks):
    receiver.mode = "fail"
    waits = []
    for _ in range(4):
        run_tasks()
        delivery.refresh_from_db()
        waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())

    assert [round(wait.total_seconds() / 60) for wait in waits] == [1, 2, 4, 8]
    assert len(receiver.requests) == 4


def test_it_gives_up_a_day_after_the_first_attempt(delivery, receiver, run_tasks):
    receiver.mode = "fail"
    Delivery.objects.filter(pk=delivery.pk).update(retrying_since=timezone.now() - timedelta(hours=23, minutes=59))

    run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.next_attempt_at is None
    assert queued_retries() == []


def test_it_counts_a_receiver_that_hangs_as_a_failure(delivery, receiver, run_tasks, monkeypatch):
    monkeypatch.setattr(sending, "READ_TIMEOUT", 0.5)
    receiver.mode, receiver.hang_seconds = "hang", 2

    run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_error == "timed out"
    assert delivery.last_status_code is None
    assert len(queued_retries()) == 1


def test_it_counts_a_connection_closed_without_an_answer_as_a_failure(delivery, receiver, run_tasks):
    receiver.mode = "close"

    run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_error.startswith("RemoteDisconnected")
    assert len(queued_retries()) == 1


def test_it_does_not_follow_a_redirect(delivery, receiver, run_tasks):
    receiver.mode = "redirect"

    run_tasks()

    delivery.refresh_from_db()
    assert [request.path for request in receiver.requests] == ["/hooks/standwith"]
    assert delivery.last_status_code == 302
    assert delivery.status == Delivery.Status.PENDING


def test_it_counts_a_receiver_that_is_down_as_a_failure(organization, run_tasks):
    make_endpoint(organization, f"http://127.0.0.1:{free_port()}/nobody-listens")
    (delivery,) = services.emit(organization.pk, "mailing.finished", {})

    run_tasks()

    delivery.refresh_from_db()
    assert delivery.last_error.startswith("ConnectionRefusedError")
    assert delivery.attempts == 1


def test_it_takes_over_an_attempt_whose_worker_died(delivery, receiver, settings):
    stalled = timezone.now() - timedelta(seconds=settings.TASK_STALLED_AFTER_SECONDS + 1)
    Delivery.objects.filter(pk=delivery.pk).update(attempts=1, last_attempt_at=stalled)

    outcome = services.attempt(delivery.pk, 1)

    assert outcome == "delivered (200)"
    assert len(receiver.requests) == 1
