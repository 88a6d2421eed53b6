import re

import pytest
from django.contrib.auth.models import User

from standwith.conftest import otp_login
from standwith.outreach.webhooks import keys
from standwith.outreach.webhooks.models import Endpoint
from standwith.outreach.webhooks.tests.conftest import make_endpoint
from standwith.staff.models import AuditRecord, Membership, Role

pytestmark = pytest.mark.django_db

ADD = "/admin/webhooks/endpoint/add/"
LIST = "/admin/webhooks/endpoint/"


def staff(organization, name, role):
    user = User.objects.create_user(name, f"{name}@example.org", None, is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def form(organization, url, **extra):
    return {
        "organization": organization.pk,
        "url": url,
        "description": "CRM",
        "events": ["signature.confirmed"],
        **extra,
    }


def test_it_shows_the_new_secret_once_and_keeps_it_sealed(client, organization, receiver):
    otp_login(client, staff(organization, "ada", Role.ADMIN))

    response = client.post(ADD, form(organization, receiver.url))

    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = re.search(r'class="vTextField webhook-secret" value="(whsec_[\w-]+)"', page).group(1)
    assert "shown only this once" in page
    endpoint = Endpoint.objects.get()
    assert (endpoint.url, endpoint.events, endpoint.active) == (receiver.url, ["signature.confirmed"], True)
    assert secret.encode() not in bytes(endpoint.secret_encrypted)
    assert keys.unseal(organization.pk, endpoint.secret_encrypted) == secret
    assert secret not in client.get(f"{LIST}{endpoint.pk}/change/").content.decode()
    assert AuditRecord.objects.get(action="endpoint.add").actor_name == "ada"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "https://127.0.0.1/hook",
            "127.0.0.1 is on a private or local network; the site only posts to public addresses.",
        ),
        ("http://93.184.215.14/hook", "The address must start with https://."),
        ("not a url", "Enter a valid URL."),
    ],
)
def test_it_refuses_a_bad_address_with_a_clear_message(client, organization, settings, url, message):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    otp_login(client, staff(organization, "ada", Role.ADMIN))

    response = client.post(ADD, form(organization, url))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Endpoint.objects.exists()


def test_it_refuses_an_endpoint_with_no_event(client, organization, receiver):
    otp_login(client, staff(organization, "ada", Role.ADMIN))

    response = client.post(ADD, form(organization, receiver.url, events=[]))

    assert "This field is required." in response.content.decode()
    assert not Endpoint.objects.exists()


def test_it_gives_a_new_secret_shown_once_and_signs_with_it_from_then_on(client, organization, endpoint):
    otp_login(client, staff(organization, "ada", Role.ADMIN))
    before = bytes(endpoint.secret_encrypted)

    response = client.post(LIST, {"action": "rotate_secret", "_selected_action": [endpoint.pk]})

    secret = re.search(r'class="vTextField webhook-secret" value="(whsec_[\w-]+)"', response.content.decode()).group(1)
    endpoint.refresh_from_db()
    assert bytes(endpoint.secret_encrypted) != before
    assert keys.unseal(organization.pk, endpoint.secret_encrypted) == secret
    assert AuditRecord.objects.filter(action="endpoint.rotate_secret").exists()


def test_it_disables_and_enables_endpoints_from_the_list(client, organization, endpoint):
    otp_login(client, staff(organization, "ada", Role.ADMIN))

    client.post(LIST, {"action": "disable_selected", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.disabled_reason) == (False, "Disabled by staff.")

    client.post(LIST, {"action": "enable_selected", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.active
    assert [a.action for a in AuditRecord.objects.order_by("pk")] == [
        "endpoint.disable",
        "endpoint.enable",
    ]


def test_it_lets_a_data_officer_switch_personal_data_and_nothing_else(client, organization, endpoint):
    otp_login(client, staff(organization, "dora", Role.DATA_OFFICER))
    change = f"{LIST}{endpoint.pk}/change/"

    response = client.post(change, {"personal_data": "on", "url": "https://example.org/stolen"})

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.personal_data
    assert endpoint.url != "https://example.org/stolen"
    assert AuditRecord.objects.get(action="endpoint.personal_data").details == {"on": True}


def test_it_does_not_let_a_campaigner_switch_personal_data_or_add_endpoints(client, organization, endpoint, receiver):
    otp_login(client, staff(organization, "cam", Role.CAMPAIGNER))

    page = client.get(f"{LIST}{endpoint.pk}/change/")
    posted = client.post(f"{LIST}{endpoint.pk}/change/", {"personal_data": "on"})
    added = client.post(ADD, form(organization, receiver.url))

    assert page.status_code == 200
    assert 'name="personal_data"' not in page.content.decode()
    assert posted.status_code == 403
    assert added.status_code == 403
    endpoint.refresh_from_db()
    assert not endpoint.personal_data
    assert Endpoint.objects.count() == 1


def test_it_shows_each_organisation_only_its_own_endpoints(client, organization, endpoint):
    other = type(organization).objects.create(slug="other", name="Other")
    theirs = make_endpoint(other, "https://other.example/hook")
    otp_login(client, staff(organization, "cam", Role.CAMPAIGNER))

    listed = client.get(LIST).content.decode()

    assert endpoint.url in listed
    assert theirs.url not in listed
    assert client.get(f"{LIST}{theirs.pk}/change/").status_code in {302, 403}


def test_it_deletes_only_a_disabled_endpoint(client, organization, endpoint):
    otp_login(client, staff(organization, "ada", Role.ADMIN))

    refused = client.post(f"{LIST}{endpoint.pk}/delete/", {"post": "yes"})
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False, disabled_at="2026-01-01T00:00:00Z")
    deleted = client.post(f"{LIST}{endpoint.pk}/delete/", {"post": "yes"})

    assert refused.status_code == 403
    assert deleted.status_code == 302
    assert not Endpoint.objects.exists()
