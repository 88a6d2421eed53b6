import json

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from standwith.api.models import Scope
from standwith.api.tests.test_osdi_auth import BASE, make_token, osdi_fixture, path_of  # noqa: F401
from standwith.campaigns.models import Organization, Petition
from standwith.signing import crypto
from standwith.signing.models import Signature
from standwith.staff.models import SiteSwitches

pytestmark = pytest.mark.django_db


def helper_body(**overrides):
    person = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email_addresses": [{"address": "ada@example.org", "primary": True}],
        "postal_addresses": [{"postal_code": "sw1a 1aa", "country": "gb", "primary": True}],
    }
    person.update(overrides.pop("person", {}))
    return {"person": person, **overrides}


def helper(slug="free-them"):
    return f"/petitions/{slug}/record_signature_helper"


def queued_mail_kinds():
    return [
        task.args_kwargs["args"][1]
        for task in DBTaskResult.objects.filter(task_path="standwith.signing.tasks.send_signature_mail")
    ]


def test_it_records_a_pending_signature_and_mails_the_signer(osdi, petition, run_tasks):
    response = osdi(helper(), json=helper_body())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/hal+json; charset=utf-8"
    (signature,) = Signature.objects.all()
    assert signature.state == Signature.State.PENDING
    assert signature.channel == Signature.Channel.API
    assert signature.country == "GB"
    assert crypto.decrypt(petition.pk, "name", signature.name_encrypted) == "Ada Lovelace"
    assert crypto.decrypt(petition.pk, "postcode", signature.postcode_encrypted) == "SW1A 1AA"
    assert queued_mail_kinds() == ["signed"]
    run_tasks()
    assert [message.to for message in mail.outbox] == [["ada@example.org"]]


def test_it_answers_with_the_signature_whose_links_resolve(osdi, petition):
    data = osdi(helper(), json=helper_body()).json()

    signature = Signature.objects.get()
    assert data["identifiers"] == [f"standwith:{signature.pk}"]
    for rel in ["self", "osdi:person", "osdi:petition"]:
        assert osdi(path_of(data["_links"][rel]["href"])).status_code == 200, rel


def test_without_people_read_it_answers_without_ids_and_a_repeat_alike(osdi, petition):
    first = osdi(helper(), Scope.RECORD_SIGNATURES, json=helper_body())
    again = osdi(helper(), Scope.RECORD_SIGNATURES, json=helper_body())

    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert "identifiers" not in first.json()
    assert set(first.json()["_links"]) == {"curies", "osdi:petition"}
    assert Signature.objects.count() == 1


def test_it_shows_no_ids_for_a_partner_petition(osdi, organization):
    owner = Organization.objects.create(slug="owner", name="Owner")
    partnered = Petition.objects.create(
        organization=owner, slug="partnered", title="t", summary="s", body="b", state=Petition.State.OPEN
    )
    partnered.partners.add(organization)

    response = osdi(helper("partnered"), json=helper_body())

    assert response.status_code == 200
    assert "identifiers" not in response.json()
    assert Signature.objects.get().petition == partnered


def test_it_takes_the_post_at_the_action_network_address_too(osdi, petition):
    response = osdi(f"/petitions/{petition.slug}/signatures", json=helper_body())

    assert response.status_code == 200
    assert Signature.objects.count() == 1


def test_it_takes_a_hal_json_body(client, organization, petition):
    _, secret = make_token(organization)

    response = client.post(
        BASE + helper(),
        json.dumps(helper_body()),
        content_type="application/hal+json",
        headers={"OSDI-API-Token": secret},
    )

    assert response.status_code == 200


def test_it_accepts_and_ignores_the_other_fields_osdi_defines(osdi, petition):
    body = helper_body(
        person={
            "identifiers": ["foreign_system:1"],
            "additional_name": "Marques",
            "gender": "Female",
            "email_addresses": [{"address": "ada@example.org", "primary": True, "status": "subscribed"}],
            "phone_numbers": [{"primary": True, "number": 19876543210, "number_type": "Mobile"}],
            "custom_fields": {"is_volunteer": "true"},
            "languages_spoken": ["fr"],
        },
        identifiers=["foreign_system:1"],
        origin_system="OpenSupporter",
        action_date="2014-03-18T11:02:15Z",
        comments="Support our campaign!",
        referrer_data={"source": "facebook-101016-mainpage", "referrer": "jane-doe", "website": "facebook.com"},
        triggers={"autoresponse": {"enabled": True}},
        add_tags=["volunteer"],
        add_lists=["supporters"],
        _links={"osdi:person": {"href": "https://example.org/people/1"}},
    )

    response = osdi(helper(), json=body)

    assert response.status_code == 200
    signature = Signature.objects.get()
    assert signature.source == "facebook-101016-mainpage"
    assert signature.language == "fr"
    # An email status is never taken as consent to updates.
    assert signature.consent_campaign_updates is False
    assert signature.consent_org_updates is False


def test_it_refuses_a_field_osdi_does_not_define(osdi, petition):
    response = osdi(helper(), json=helper_body(colour="blue"))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "colour"


def test_it_needs_a_country(osdi, petition):
    response = osdi(helper(), json=helper_body(person={"postal_addresses": [{"postal_code": "12345"}]}))

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["person.postal_addresses.0.country"]
    assert not Signature.objects.exists()


def test_it_names_the_osdi_field_the_web_form_refused(osdi, petition):
    body = helper_body(
        person={
            "email_addresses": [{"address": "x@example.org"}, {"address": "not an address", "primary": True}],
            "postal_addresses": [{"country": "ZZ"}],
        }
    )

    response = osdi(helper(), json=body)

    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"person.email_addresses.1.address", "person.postal_addresses.0.country"}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"person": "Ada"},
        {"person": {"email_addresses": [], "postal_addresses": [{"country": "GB"}]}},
        {"person": {"email_addresses": [{"address": 5}], "postal_addresses": [{"country": "GB"}]}},
        [1, 2],
    ],
)
def test_it_refuses_wrong_shapes_with_422(osdi, petition, body):
    response = osdi(helper(), json=body)

    assert response.status_code == 422
    assert response.json()["error"] == "invalid"


def test_it_refuses_a_body_that_is_not_json_with_400(client, organization, petition):
    _, secret = make_token(organization)

    response = client.post(
        BASE + helper(), b"{not json", content_type="application/json", headers={"OSDI-API-Token": secret}
    )

    assert response.status_code == 400
    assert response.json()["error"] == "malformed"


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(osdi, petition):
    headers = {"Idempotency-Key": "sync-42"}

    first = osdi(helper(), json=helper_body(), headers=headers)
    again = osdi(helper(), json=helper_body(), headers=headers)
    other = osdi(helper(), json=helper_body(person={"given_name": "Bo"}), headers=headers)

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert queued_mail_kinds() == ["signed"]
    assert other.status_code == 422
    assert other.json()["error"] == "idempotency_key_reused"


@pytest.mark.parametrize("scope", [Scope.READ_STATISTICS, Scope.READ_PERSONAL_DATA])
def test_it_needs_signatures_write(osdi, petition, scope):
    response = osdi(helper(), scope, json=helper_body())

    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_it_answers_409_for_a_closed_petition(osdi, petition):
    petition.state = Petition.State.CLOSED
    petition.save()

    response = osdi(helper(), json=helper_body())

    assert response.status_code == 409
    assert response.json()["error"] == "petition_closed"


def test_it_answers_503_with_retry_after_while_signing_is_paused(osdi, petition):
    SiteSwitches.objects.update_or_create(pk=1, defaults={"signing_paused_since": timezone.now()})

    response = osdi(helper(), json=helper_body())

    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert not Signature.objects.exists()


def test_it_answers_404_for_a_petition_the_token_does_not_reach(osdi):
    owner = Organization.objects.create(slug="owner", name="Owner")
    Petition.objects.create(organization=owner, slug="theirs", title="t", summary="s", body="b", state="open")

    assert osdi(helper("theirs"), json=helper_body()).status_code == 404
