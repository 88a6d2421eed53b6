"""A mailing that ends, sent to the last or cancelled, is told to the organisation's webhook endpoints."""

import json

import pytest

from standwith.outreach import mailings
from standwith.outreach.tests.helpers import send_all
from standwith.outreach.webhooks.models import Delivery
from standwith.outreach.webhooks.tests.conftest import make_endpoint
from standwith.outreach.webhooks.tests.receiver import Receiver, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on loopback
    found = Receiver()
    server = start(found)
    yield found
    server.shutdown()
    server.server_close()


def test_it_tells_the_endpoints_when_a_mailing_is_sent_to_the_last(
    organization, mailing, petition, mailer, signer, receiver, smtp_sink, run_tasks
):
    make_endpoint(organization, receiver.url, ["mailing.finished"])
    signer(petition, "ada@example.org")
    signer(petition, "bob@example.org")

    send_all(mailing, mailer, run_tasks)
    while run_tasks():
        pass

    (request,) = receiver.requests
    assert request.headers["Standwith-Event"] == "mailing.finished"
    data = json.loads(request.body)["data"]["mailing"]
    assert data == {
        "id": mailing.pk,
        "state": "finished",
        "update": mailing.update_id,
        "recipients": 2,
        "sent": 2,
        "failed": 0,
        "skipped": 0,
    }


def test_it_tells_them_when_a_mailing_is_cancelled_and_nothing_else(organization, mailing, mailer, receiver):
    make_endpoint(organization, receiver.url, ["mailing.finished"])
    make_endpoint(organization, receiver.url + "?other", ["milestone.reached"])

    mailings.cancel(mailing, mailer)

    (delivery,) = Delivery.objects.all()
    assert delivery.payload["mailing"]["state"] == "cancelled"
