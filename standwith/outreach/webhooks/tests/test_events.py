import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from standwith.campaigns import services as campaigns
from standwith.campaigns.models import Petition
from standwith.conftest import data_statements
from standwith.outreach.webhooks import services
from standwith.outreach.webhooks.models import Delivery
from standwith.outreach.webhooks.tests.conftest import make_endpoint
from standwith.signing import counting
from standwith.signing.models import Signature
from standwith.signing.tokens import make_confirm_token
from standwith.staff.services import NotAllowed, close_due_petitions, move_petition

pytestmark = pytest.mark.django_db


def confirm_path(petition, signature):
    return f"/en/p/{petition.slug}/confirm/{make_confirm_token(petition.pk, signature.pk)}/"


@pytest.fixture
def pending(sign, petition):
    sign(petition, email="ada@example.org", name="Ada Lovelace", country="GB")
    return Signature.objects.get()


def test_it_tells_of_a_confirmed_signature_without_naming_the_signer(
    client, petition, pending, endpoint, receiver, run_tasks
):
    client.post(confirm_path(petition, pending))
    run_tasks()

    (delivery,) = Delivery.objects.all()
    assert delivery.event == "signature.confirmed"
    assert delivery.payload == {
        "petition": {"id": petition.pk, "slug": "free-them"},
        "signature": {"id": pending.pk, "country": "GB", "language": "en"},
    }
    (request,) = [r for r in receiver.requests if r.headers["Standwith-Event"] == "signature.confirmed"]
    assert json.loads(request.body)["data"] == delivery.payload
    assert b"ada@example.org" not in request.body
    assert b"Ada Lovelace" not in request.body


def test_it_tells_of_nothing_when_the_link_is_only_opened_or_pressed_twice(client, petition, pending, endpoint):
    client.get(confirm_path(petition, pending))
    client.post(confirm_path(petition, pending))
    client.post(confirm_path(petition, pending))

    assert Delivery.objects.filter(event="signature.confirmed").count() == 1


def test_it_costs_a_confirmation_no_query_when_no_endpoint_takes_the_event(client, organization, petition, pending):
    make_endpoint(organization, "http://127.0.0.1:9/other", events=["milestone.reached"])
    client.get(f"/en/p/{petition.slug}/")  # the petition is in cache, as on a live site
    services.subscribed_events(organization.pk)  # and so is what its organisation's endpoints take

    with data_statements() as statements:
        client.post(confirm_path(petition, pending))

    assert [sql.split(" SET")[0] for sql in statements] == ['UPDATE "signing_signature"', 'UPDATE "signing_countslot"']


def test_it_queues_the_event_in_the_confirmations_transaction(client, organization, petition, pending, endpoint):
    client.get(f"/en/p/{petition.slug}/")
    services.subscribed_events(organization.pk)

    with data_statements() as statements:
        client.post(confirm_path(petition, pending))

    assert [re.match(r'(\w+)\D*?"(\w+)"', sql).groups() for sql in statements] == [
        ("UPDATE", "signing_signature"),
        ("UPDATE", "signing_countslot"),
        ("SELECT", "signing_signature"),
        ("SELECT", "webhooks_endpoint"),
        ("INSERT", "webhooks_delivery"),
        ("INSERT", "django_tasks_database_dbtaskresult"),
    ]


def test_it_notices_a_new_endpoint_at_once(client, organization, petition, pending, receiver):
    assert services.subscribed_events(organization.pk) == frozenset()

    make_endpoint(organization, receiver.url, events=["signature.confirmed"])
    client.post(confirm_path(petition, pending))

    assert Delivery.objects.filter(event="signature.confirmed").count() == 1


def test_it_tells_of_a_milestone_reached(petition, endpoint, receiver, run_tasks):
    counting.add(petition.pk, 10_250)

    (milestone,) = campaigns.record_milestones()

    delivery = Delivery.objects.get(event="milestone.reached")
    assert delivery.payload == {
        "petition": {"id": petition.pk, "slug": "free-them"},
        "milestone": {"threshold": 10_000, "reached_at": milestone.reached_at.isoformat()},
    }
    run_tasks()
    assert any(r.headers["Standwith-Event"] == "milestone.reached" for r in receiver.requests)


def test_it_tells_of_a_petition_moved_through_its_lifecycle(petition, endpoint, receiver, run_tasks):
    admin = User.objects.create_user("root", "root@example.org", None, is_superuser=True)

    move_petition(petition, Petition.State.CLOSED, admin)
    run_tasks()

    delivery = Delivery.objects.get(event="petition.state_changed")
    assert delivery.payload == {
        "petition": {"id": petition.pk, "slug": "free-them"},
        "action": "close",
        "from": "open",
        "to": "closed",
    }
    assert delivery.status == Delivery.Status.DELIVERED


def test_it_tells_of_a_petition_closed_at_its_deadline(petition, endpoint, receiver, run_tasks):
    petition.deadline = timezone.now() - timedelta(minutes=1)
    petition.save(update_fields=["deadline"])

    assert close_due_petitions() == 1
    run_tasks()

    delivery = Delivery.objects.get(event="petition.state_changed")
    assert (delivery.payload["action"], delivery.payload["from"], delivery.payload["to"]) == ("close", "open", "closed")
    assert delivery.status == Delivery.Status.DELIVERED


def test_it_tells_of_nothing_when_a_move_is_refused(petition, endpoint):
    nobody = User.objects.create_user("nobody", "nobody@example.org", None)

    with pytest.raises(NotAllowed, match=r"Your role does not allow this\."):
        move_petition(petition, Petition.State.CLOSED, nobody)

    assert not Delivery.objects.exists()


def test_it_tells_of_a_finished_mailing_through_emit(organization, endpoint, receiver, run_tasks):
    services.emit(organization.pk, "mailing.finished", {"mailing": {"id": 3, "sent": 10, "failed": 1}})
    run_tasks()

    (request,) = receiver.requests
    assert json.loads(request.body)["data"] == {"mailing": {"id": 3, "sent": 10, "failed": 1}}
