import json

import pytest
from django.contrib.auth.models import User

from standwith.outreach.webhooks import services
from standwith.outreach.webhooks.models import Delivery
from standwith.signing import services as signing
from standwith.signing.models import Signature
from standwith.staff.models import AuditRecord, Membership, Role
from standwith.staff.services import NotAllowed

pytestmark = pytest.mark.django_db


def member(organization, name, role):
    user = User.objects.create_user(name, f"{name}@example.org", None)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def confirmed(sign, petition, endpoint):
    """Confirm a signature, with the event on its way to the endpoint."""

    def confirm():
        sign(petition, email="ada@example.org", name="Ada Lovelace", country="GB")
        signing.confirm(petition, Signature.objects.get().pk)
        return Delivery.objects.get(event="signature.confirmed")

    return confirm


def sent_data(receiver):
    (request,) = [r for r in receiver.requests if r.headers["Standwith-Event"] == "signature.confirmed"]
    return json.loads(request.body)["data"]


def test_it_sends_no_name_or_address_unless_a_data_officer_allowed_it(confirmed, receiver, run_tasks):
    confirmed()
    run_tasks()

    assert "signer" not in sent_data(receiver)


def test_it_sends_the_name_and_address_once_a_data_officer_allows_it_and_stores_neither(
    organization, endpoint, confirmed, receiver, run_tasks
):
    officer = member(organization, "dora", Role.DATA_OFFICER)
    services.set_personal_data(endpoint, True, actor=officer)

    delivery = confirmed()
    run_tasks()

    assert sent_data(receiver)["signer"] == {"name": "Ada Lovelace", "email": "ada@example.org"}
    delivery.refresh_from_db()
    stored = json.dumps(delivery.payload)
    assert "Ada" not in stored
    assert "ada@" not in stored
    assert "Ada" not in delivery.response_excerpt
    audit = AuditRecord.objects.get(action="endpoint.personal_data")
    assert (audit.actor, audit.details) == (officer, {"on": True})


def test_it_sends_nothing_personal_about_a_signature_withdrawn_before_the_delivery(
    organization, endpoint, confirmed, receiver, run_tasks
):
    services.set_personal_data(endpoint, True, actor=member(organization, "dora", Role.DATA_OFFICER))
    confirmed()
    Signature.objects.update(state=Signature.State.WITHDRAWN)

    run_tasks()

    assert "signer" not in sent_data(receiver)


@pytest.mark.parametrize("role", [Role.CAMPAIGNER, Role.MODERATOR])
def test_it_lets_no_one_else_allow_personal_data(organization, endpoint, role):
    with pytest.raises(NotAllowed):
        services.set_personal_data(endpoint, True, actor=member(organization, "someone", role))

    endpoint.refresh_from_db()
    assert not endpoint.personal_data
    assert not AuditRecord.objects.exists()


def test_it_lets_no_data_officer_of_another_organisation_allow_it(organization, endpoint):
    other = type(organization).objects.create(slug="other", name="Other")

    with pytest.raises(NotAllowed):
        services.set_personal_data(endpoint, True, actor=member(other, "dora", Role.DATA_OFFICER))

    endpoint.refresh_from_db()
    assert not endpoint.personal_data
