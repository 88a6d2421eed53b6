"""Downloading what the site holds about a signature, through its link."""

import json

import pytest

from standwith.signing import crypto, referrals
from standwith.signing.models import PetitionKey
from standwith.signing.tests.manage_helpers import link, press, signed
from standwith.staff.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_it_downloads_everything_held_as_a_json_file(client, petition, settings):
    signature = signed(petition, name="Ада", consent_campaign_updates=True, source="newsletter", language="ru")

    response = press(client, link(signature), "export")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="signature-free-them.json"'
    assert response["Cache-Control"] == "private, no-store"
    data = json.loads(response.content)
    assert (data["name"], data["email"], data["postcode"]) == ("Ада", "ada@example.org", "N1 9GU")
    assert (data["country"], data["language"], data["state"], data["channel"]) == ("GB", "ru", "validated", "web")
    assert data["source"] == "newsletter"
    assert data["consents"] == {"campaign_updates": True, "organisation_updates": False, "show_name_publicly": False}
    assert data["referral"] == {
        "your_share_code": referrals.code_for(petition.pk, signature.pk),
        "referred_by_another_signer": False,
        "depth": 0,
    }
    assert data["times"]["signed"]
    assert data["times"]["address_confirmed"]
    assert f"{settings.IP_DIGEST_RETENTION_DAYS} days" in data["keyed_digests"]["network"]
    assert any("IP address" in line for line in data["not_held"])
    assert "203.0.113" not in response.content.decode()


def test_it_records_the_download_without_personal_data(client, petition):
    signature = signed(petition)

    press(client, link(signature), "export")

    (line,) = AuditRecord.objects.filter(action="signature.self_export")
    assert line.actor is None
    assert line.object_id == str(signature.pk)
    assert line.details == {}
    assert line.network == ""


def test_it_changes_nothing_by_downloading(client, petition):
    signature = signed(petition)

    press(client, link(signature), "export")

    signature.refresh_from_db()
    assert signature.state == signature.State.VALIDATED


def test_it_downloads_what_is_left_once_the_key_is_destroyed(client, petition):
    signature = signed(petition)
    PetitionKey.objects.filter(petition=petition).delete()
    crypto.forget_keys()

    response = press(client, link(signature), "export")

    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["personal_data"] == "unreadable"
    assert "email" not in data
    assert "name" not in data
    assert data["country"] == "GB"
