"""Changing one's choices through the link: updates by email, and the name shown publicly."""

import pytest

from standwith.outreach import recipients
from standwith.outreach.models import Unsubscription
from standwith.signing.models import Signature
from standwith.signing.tests.manage_helpers import link, press, signed

pytestmark = pytest.mark.django_db


def choices(signature: Signature) -> tuple[bool, bool, bool]:
    return Signature.objects.values_list("consent_campaign_updates", "consent_org_updates", "show_name_publicly").get(
        pk=signature.pk
    )


def test_it_turns_consents_off(client, petition):
    signature = signed(petition, consent_campaign_updates=True, consent_org_updates=True, show_name_publicly=True)

    response = press(client, link(signature), "consents")

    assert response.status_code == 200
    assert "Your choices are saved" in response.content.decode()
    assert choices(signature) == (False, False, False)


def test_it_turns_consents_on_one_by_one(client, petition):
    signature = signed(petition)

    press(client, link(signature), "consents", consent_org_updates="on", show_name_publicly="on")

    assert choices(signature) == (False, True, True)


def test_it_lifts_an_earlier_unsubscription_from_the_organisation_when_the_signer_opts_in_again(client, petition):
    signature = signed(petition)
    digest = recipients.unsubscribe_digest(petition.organization_id, "ada@example.org")
    Unsubscription.objects.create(organization_id=petition.organization_id, digest=digest)

    press(client, link(signature), "consents", consent_campaign_updates="on")

    assert not Unsubscription.objects.filter(digest=digest).exists()


def test_it_keeps_an_unsubscription_when_the_signer_opts_in_to_nothing(client, petition):
    signature = signed(petition)
    digest = recipients.unsubscribe_digest(petition.organization_id, "ada@example.org")
    Unsubscription.objects.create(organization_id=petition.organization_id, digest=digest)

    press(client, link(signature), "consents", show_name_publicly="on")

    assert Unsubscription.objects.filter(digest=digest).exists()


def test_it_changes_nothing_on_an_erased_signature(client, petition):
    signature = signed(petition)
    press(client, link(signature), "erase", confirm="on")

    response = press(client, link(signature), "consents", consent_org_updates="on")

    assert response.status_code == 200
    assert choices(signature) == (False, False, False)
