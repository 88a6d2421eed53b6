"""Unsubscribing from an organisation's mail: a page with a button, and mail apps' one-click POST (RFC 8058)."""

import pytest
from django.test import Client

from standwith.campaigns.models import Organization
from standwith.outreach import recipients
from standwith.outreach.models import Unsubscription
from standwith.outreach.tokens import make_unsubscribe_token
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def signature(petition, signer):
    return signer(petition, "ada@example.org", consent_org_updates=True)


@pytest.fixture
def link(signature, organization):
    return f"/en/unsubscribe/{make_unsubscribe_token(organization.pk, signature.pk)}/"


def unsubscribed(organization: Organization, address: str) -> bool:
    digest = recipients.unsubscribe_digest(organization.pk, recipients.canonical(address))
    return Unsubscription.objects.filter(organization=organization, digest=digest).exists()


def test_it_shows_a_button_and_changes_nothing_on_a_get(client, link, organization, signature):
    response = client.get(link)

    assert response.status_code == 200
    assert b"Stop emails from All Out" in response.content
    assert response["Cache-Control"] == "private, no-store"
    assert not Unsubscription.objects.exists()


def test_it_unsubscribes_at_once_on_the_pages_button(client, link, organization, signature):
    response = client.post(link)

    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    assert unsubscribed(organization, "ada@example.org")
    signature.refresh_from_db()
    assert (signature.consent_campaign_updates, signature.consent_org_updates) == (False, False)


def test_it_takes_a_mail_apps_one_click_post_without_a_csrf_cookie(link, organization, signature):
    mail_app = Client(enforce_csrf_checks=True)

    response = mail_app.post(link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    assert unsubscribed(organization, "ada@example.org")


def test_it_keeps_the_address_only_as_a_digest(client, link, organization, signature):
    client.post(link)

    [row] = Unsubscription.objects.all()
    assert b"ada" not in bytes(row.digest)
    assert len(bytes(row.digest)) == 32


def test_it_takes_a_second_click_calmly(client, link, organization, signature):
    client.post(link)
    response = client.post(link)

    assert response.status_code == 200
    assert Unsubscription.objects.count() == 1


def test_it_unsubscribes_from_that_organisation_only(client, link, organization, signature):
    other = Organization.objects.create(slug="other", name="Other")

    client.post(link)

    assert not unsubscribed(other, "ada@example.org")


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_refuses_a_forged_or_damaged_link_and_changes_nothing(client, organization, signature, link, method):
    forged = f"/en/unsubscribe/{organization.pk}.{signature.pk}:forgedsignature/"
    damaged = link[:-5] + "/"

    for address in (forged, damaged):
        response = getattr(client, method)(address)
        assert response.status_code == 400
        assert b"This link is not valid" in response.content
    assert not Unsubscription.objects.exists()
    assert Signature.objects.get(pk=signature.pk).consent_org_updates


def test_it_answers_in_the_readers_language(client, organization, signature):
    token = make_unsubscribe_token(organization.pk, signature.pk)

    response = client.get(f"/ru/unsubscribe/{token}/")

    assert response.status_code == 200
    assert 'lang="ru"' in response.content.decode()


def test_it_says_a_test_messages_link_changes_nothing(client, organization):
    response = client.post(f"/en/unsubscribe/{make_unsubscribe_token(organization.pk, 0)}/")

    assert response.status_code == 200
    assert b"test message" in response.content
    assert not Unsubscription.objects.exists()
