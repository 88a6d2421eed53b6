from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from standwith.outreach.webhooks import services
from standwith.outreach.webhooks.models import Delivery, Endpoint
from standwith.staff.models import AuditRecord, Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(organization):
    def member(name, *roles, organization=organization, **extra):
        user = User.objects.create_user(name, f"{name}@example.org", None, **extra)
        for role in roles:
            Membership.objects.create(user=user, organization=organization, role=role)
        return user

    member("dora", Role.DATA_OFFICER)
    member("gone", Role.CAMPAIGNER, is_active=False)
    member("elsewhere", Role.CAMPAIGNER, organization=type(organization).objects.create(slug="o", name="O"))
    return [member("cam", Role.CAMPAIGNER), member("ada", Role.ADMIN, Role.CAMPAIGNER)]


def failing_for(endpoint, since, failures):
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=since, consecutive_failures=failures)


def fail_once(organization, receiver, run_tasks):
    receiver.mode = "fail"
    services.emit(organization.pk, "mailing.finished", {})
    run_tasks()


def recipients(sink):
    return sorted(address for _sender, addresses, _message in sink.messages for address in addresses)


def test_it_disables_an_endpoint_that_has_failed_for_a_day_and_tells_its_staff_once(
    organization, endpoint, receiver, run_tasks, staff, smtp_sink
):
    failing_for(endpoint, timezone.now() - timedelta(days=1, minutes=1), 12)

    fail_once(organization, receiver, run_tasks)
    run_tasks()  # a second run of the queue sends nothing more

    endpoint.refresh_from_db()
    assert not endpoint.active
    assert endpoint.disabled_reason == "No delivery has succeeded for a day."
    assert endpoint.disabled_at is not None
    assert recipients(smtp_sink) == ["ada@example.org", "cam@example.org"]
    _sender, _to, message = smtp_sink.messages[0]
    assert message["Subject"] == f"Webhook endpoint disabled: {endpoint.url}"
    text = message.get_content()
    assert "No delivery has succeeded for a day." in text
    assert f"/admin/webhooks/endpoint/{endpoint.pk}/change/" in text
    audit = AuditRecord.objects.get(action="endpoint.disable")
    assert audit.actor_name == "standwith"


def test_it_keeps_sending_to_an_endpoint_failing_for_less_than_a_day(organization, endpoint, receiver, run_tasks):
    failing_for(endpoint, timezone.now() - timedelta(hours=23), 40)

    fail_once(organization, receiver, run_tasks)

    endpoint.refresh_from_db()
    assert endpoint.active
    assert endpoint.consecutive_failures == 41


def test_it_keeps_sending_to_an_endpoint_that_failed_only_a_few_times_in_a_day(
    organization, endpoint, receiver, run_tasks
):
    failing_for(endpoint, timezone.now() - timedelta(days=3), services.DISABLE_MIN_FAILURES - 2)

    fail_once(organization, receiver, run_tasks)

    endpoint.refresh_from_db()
    assert endpoint.active


def test_it_forgives_earlier_failures_after_a_success(organization, endpoint, receiver, run_tasks):
    failing_for(endpoint, timezone.now() - timedelta(hours=20), 30)

    services.emit(organization.pk, "mailing.finished", {})
    run_tasks()

    endpoint.refresh_from_db()
    assert (endpoint.failing_since, endpoint.consecutive_failures) == (None, 0)


def test_it_stops_queueing_events_for_a_disabled_endpoint(organization, endpoint, receiver, run_tasks):
    services.disable(endpoint, "Disabled by staff.", actor=None)

    assert services.emit(organization.pk, "mailing.finished", {}) == []
    assert not Delivery.objects.exists()


def test_it_drops_a_waiting_retry_once_the_endpoint_is_disabled(organization, endpoint, receiver, run_tasks):
    fail_once(organization, receiver, run_tasks)
    failing_for(endpoint, timezone.now() - timedelta(days=2), 20)
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_tasks()  # the second attempt fails too, and the endpoint is disabled with it

    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_tasks()

    endpoint.refresh_from_db()
    assert not endpoint.active
    assert len(receiver.requests) == 2
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_error == "The endpoint is disabled."


def test_it_sends_again_once_staff_enable_the_endpoint(organization, endpoint, receiver, run_tasks, staff):
    failing_for(endpoint, timezone.now() - timedelta(days=2), 20)
    services.disable(endpoint, "No delivery has succeeded for a day.", actor=None)

    assert services.enable(endpoint, actor=staff[1])
    services.emit(organization.pk, "mailing.finished", {})
    run_tasks()

    endpoint.refresh_from_db()
    assert endpoint.active
    assert (endpoint.disabled_at, endpoint.disabled_reason, endpoint.consecutive_failures) == (None, "", 0)
    assert len(receiver.requests) == 1
    assert AuditRecord.objects.filter(action="endpoint.enable", actor=staff[1]).exists()
    assert not services.enable(endpoint, actor=staff[1])  # enabled already: nothing to do
