import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from standwith.conftest import otp_login
from standwith.outreach.webhooks import services
from standwith.outreach.webhooks.models import Delivery
from standwith.staff.models import AuditRecord, Membership, Role

pytestmark = pytest.mark.django_db

LIST = "/admin/webhooks/delivery/"


def staff(organization, name, role):
    user = User.objects.create_user(name, f"{name}@example.org", None, is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def failed(organization, endpoint, receiver, run_tasks):
    """A delivery that failed for good while the receiver was broken; it works again now."""
    receiver.mode = "fail"
    (delivery,) = services.emit(organization.pk, "mailing.finished", {"mailing": {"id": 1}})
    Delivery.objects.filter(pk=delivery.pk).update(retrying_since=timezone.now() - timezone.timedelta(days=1))
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    receiver.mode = "ok"
    return delivery


def test_it_sends_a_failed_delivery_again_from_the_list(client, organization, failed, receiver, run_tasks):
    otp_login(client, staff(organization, "cam", Role.CAMPAIGNER))

    response = client.post(LIST, {"action": "send_again", "_selected_action": [failed.pk]}, follow=True)
    run_tasks()

    assert "1 delivery queued again." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == Delivery.Status.DELIVERED
    assert failed.attempts == 2
    assert [r.headers["Standwith-Delivery"] for r in receiver.requests] == [str(failed.public_id)] * 2
    audit = AuditRecord.objects.get(action="delivery.send_again")
    assert (audit.actor_name, audit.object_id) == ("cam", str(failed.pk))


def test_it_refuses_to_send_again_to_a_disabled_endpoint_and_says_why(client, organization, endpoint, failed):
    services.disable(endpoint, "Disabled by staff.", actor=None)
    otp_login(client, staff(organization, "ada", Role.ADMIN))

    response = client.post(LIST, {"action": "send_again", "_selected_action": [failed.pk]}, follow=True)

    assert "Its endpoint is disabled; enable it first." in response.content.decode()
    assert Delivery.objects.get().status == Delivery.Status.FAILED
    assert not AuditRecord.objects.filter(action="delivery.send_again").exists()


def test_it_queues_one_run_when_sent_again_twice(organization, failed, run_tasks, receiver):
    actor = staff(organization, "ada", Role.ADMIN)
    services.send_again(failed, actor=actor)

    with pytest.raises(services.NotPossible, match=r"It is being sent already\."):
        services.send_again(failed, actor=actor)

    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_it_lists_deliveries_by_endpoint_and_status(client, organization, endpoint, failed):
    services.emit(organization.pk, "signature.confirmed", {"petition": {"id": 1, "slug": "x"}, "signature": {"id": 2}})
    otp_login(client, staff(organization, "ada", Role.ADMIN))

    failed_only = client.get(LIST, {"endpoint__id__exact": endpoint.pk, "status__exact": "failed"})

    assert failed_only.status_code == 200
    assert list(failed_only.context["cl"].result_list) == [failed]


def test_it_hides_other_organisations_deliveries_and_lets_no_data_officer_send_again(client, organization, failed):
    other = type(organization).objects.create(slug="other", name="Other")
    otp_login(client, staff(other, "cam", Role.CAMPAIGNER))
    assert client.get(LIST).context["cl"].result_count == 0

    client.logout()
    otp_login(client, staff(organization, "dora", Role.DATA_OFFICER))
    response = client.post(LIST, {"action": "send_again", "_selected_action": [failed.pk]})

    assert response.status_code in {200, 302}
    assert Delivery.objects.get().status == Delivery.Status.FAILED
