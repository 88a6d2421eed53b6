import json
import uuid

import pytest
from django_tasks_db.models import DBTaskResult

from standwith.outreach.webhooks import services
from standwith.outreach.webhooks.models import Delivery
from standwith.outreach.webhooks.signatures import verify
from standwith.outreach.webhooks.tasks import deliver
from standwith.outreach.webhooks.tests.conftest import SECRET, make_endpoint

pytestmark = pytest.mark.django_db


def finished(organization):
    return services.emit(organization.pk, "mailing.finished", {"mailing": {"id": 7, "sent": 1200}})


def test_it_posts_a_signed_delivery_the_receiver_can_verify(organization, endpoint, receiver, run_tasks):
    (delivery,) = finished(organization)

    run_tasks()

    (request,) = receiver.requests
    assert request.path == "/hooks/standwith"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Standwith-Event"] == "mailing.finished"
    assert request.headers["Standwith-Delivery"] == str(delivery.public_id)
    assert verify(SECRET, request.headers["Standwith-Signature"], request.body)
    body = json.loads(request.body)
    assert body["id"] == str(delivery.public_id)
    assert body["event"] == "mailing.finished"
    assert body["data"] == {"mailing": {"id": 7, "sent": 1200}}


def test_it_records_the_delivery_with_a_short_excerpt_of_the_answer(organization, endpoint, receiver, run_tasks):
    (delivery,) = finished(organization)

    run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert delivery.delivered_at is not None
    assert delivery.next_attempt_at is None
    assert delivery.response_excerpt.startswith("thanks ")
    assert len(delivery.response_excerpt) == 500
    endpoint.refresh_from_db()
    assert endpoint.last_success_at == delivery.delivered_at


def test_it_sends_a_delivery_once_however_often_its_task_runs(organization, endpoint, receiver, run_tasks):
    (delivery,) = finished(organization)
    deliver.enqueue(delivery.pk, 1)  # a duplicate, as a retried enqueue could make

    run_tasks()
    again = services.attempt(delivery.pk, 1)

    assert len(receiver.requests) == 1
    assert again == "done before"


def test_it_sends_to_each_endpoint_that_takes_the_event_and_no_other(organization, receiver, run_tasks):
    make_endpoint(organization, receiver.url)
    make_endpoint(organization, receiver.url + "/second", events=["mailing.finished"])
    make_endpoint(organization, receiver.url + "/other-events", events=["milestone.reached"])
    make_endpoint(organization, receiver.url + "/disabled", active=False, disabled_at="2026-01-01T00:00:00Z")
    other = type(organization).objects.create(slug="other", name="Other")
    make_endpoint(other, receiver.url + "/other-organisation")

    finished(organization)
    run_tasks()

    assert sorted(request.path for request in receiver.requests) == ["/hooks/standwith", "/hooks/standwith/second"]


def test_it_stores_nothing_and_queues_nothing_for_an_organisation_without_endpoints(organization):
    assert finished(organization) == []
    assert not Delivery.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_it_does_not_send_a_delivery_whose_endpoint_was_disabled_meanwhile(organization, endpoint, receiver, run_tasks):
    (delivery,) = finished(organization)
    services.disable(endpoint, "Disabled by staff.", actor=None)

    run_tasks()

    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_error == "The endpoint is disabled."


def test_it_gives_each_delivery_its_own_id_for_receivers_to_recognise_repeats(organization, endpoint):
    first, second = finished(organization)[0], finished(organization)[0]

    assert isinstance(first.public_id, uuid.UUID)
    assert first.public_id != second.public_id
