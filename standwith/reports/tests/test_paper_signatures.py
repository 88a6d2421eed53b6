"""Entering paper signatures one by one: who may, what counts under each policy, and what is refused."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from standwith.campaigns.models import Petition
from standwith.conftest import otp_login
from standwith.signing import counting, crypto
from standwith.signing.models import Signature
from standwith.staff.models import AuditRecord

pytestmark = pytest.mark.django_db

PEOPLE = ["campaigner", "data_officer", "admin", "moderator", "other_campaigner"]


@pytest.fixture
def campaigner(client, staff):
    otp_login(client, staff["campaigner"])
    return client


def today() -> str:
    return timezone.localdate().isoformat()


def entry(**overrides):
    data = {
        "action": "one",
        "entry": overrides.pop("entry", "ticket-1"),
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "country": "GB",
        "postcode": "",
        "signed_on": today(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post(client, petition, **overrides):
    return client.post(reverse("paper_signatures", args=[petition.pk]), entry(**overrides))


@pytest.mark.parametrize("who", PEOPLE)
def test_it_lets_the_organisations_campaigners_data_officers_and_admins_enter_signatures(client, staff, petition, who):
    otp_login(client, staff[who])

    page = client.get(reverse("paper_signatures", args=[petition.pk]))
    response = post(client, petition)

    if who in {"campaigner", "data_officer", "admin"}:
        assert page.status_code == 200
        assert response.status_code == 302
        assert Signature.objects.filter(channel=Signature.Channel.PAPER).count() == 1
    else:
        assert page.status_code == 403
        assert response.status_code == 403
        assert not Signature.objects.exists()


def test_it_records_a_signature_with_an_address_as_waiting_on_an_email_petition(campaigner, petition):
    response = post(campaigner, petition, postcode="sw1a 1aa", show_name_publicly="on")

    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.channel == Signature.Channel.PAPER
    assert signature.state == Signature.State.PENDING
    assert signature.vouched_by is None
    assert signature.show_name_publicly
    assert crypto.decrypt(petition.pk, "postcode", signature.postcode_encrypted) == "SW1A 1AA"
    assert crypto.decrypt(petition.pk, "email", signature.email_encrypted) == "ada@example.org"
    assert counting.stored_count(petition.pk) == 0
    follow = campaigner.get(response["Location"])
    assert "The paper signature was recorded." in follow.content.decode()


def test_it_keeps_the_day_signed_on_paper(campaigner, petition):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Petition.objects.filter(pk=petition.pk).update(published_at=timezone.now() - datetime.timedelta(days=10))

    post(campaigner, petition, signed_on=yesterday.isoformat())

    assert timezone.localtime(Signature.objects.get().created_at).date() == yesterday


def test_it_counts_a_signature_with_an_address_at_once_on_a_none_petition(campaigner, instant_petition):
    post(campaigner, instant_petition)

    assert Signature.objects.get().state == Signature.State.VALIDATED
    assert counting.stored_count(instant_petition.pk) == 1


def test_it_counts_a_signature_without_an_address_on_a_none_petition(campaigner, instant_petition):
    response = post(campaigner, instant_petition, email="")

    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.state == Signature.State.VALIDATED
    assert crypto.decrypt(instant_petition.pk, "email", signature.email_encrypted) == ""
    assert counting.stored_count(instant_petition.pk) == 1


def test_it_refuses_a_signature_without_an_address_on_an_email_petition(campaigner, petition):
    response = post(campaigner, petition, email="")

    assert response.status_code == 400
    assert "without an address it cannot count" in response.content.decode()
    assert not Signature.objects.exists()


def test_it_counts_a_signature_verified_in_person_when_the_organisation_vouches(campaigner, organization, petition):
    organization.vouches_offline = True
    organization.save()

    post(campaigner, petition, email="", verified_in_person="on")

    signature = Signature.objects.get()
    assert signature.state == Signature.State.VALIDATED
    assert signature.vouched_by == organization
    assert counting.stored_count(petition.pk) == 1


def test_it_refuses_verified_in_person_when_the_organisation_may_not_vouch(campaigner, petition):
    response = post(campaigner, petition, email="", verified_in_person="on")

    assert response.status_code == 400
    assert "may not vouch" in response.content.decode()
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Please tell us your name."),
        ("name", "=1+1", "Please write your name with letters."),
        ("name", "=HYPERLINK(1)", "A name cannot start with"),
        ("name", "=cmd calc", "A name cannot start with"),
        ("email", "not-an-address", "Please check your email address"),
        ("country", "", "Please choose your country."),
        ("country", "XX", "Please choose your country from the list."),
        ("postcode", "<b>", "A postcode has only letters"),
        ("signed_on", "", "Give the day written on the form."),
        ("signed_on", "yesterday", "Enter a date."),
        ("signed_on", "2999-01-01", "cannot be in the future"),
        ("signed_on", "2000-01-01", "it cannot have been signed before"),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message(campaigner, petition, field, value, message):
    response = post(campaigner, petition, **{field: value})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Signature.objects.exists()


def test_it_records_a_double_submit_once(campaigner, instant_petition):
    post(campaigner, instant_petition, email="")
    second = post(campaigner, instant_petition, email="")

    assert second.status_code == 302
    assert Signature.objects.count() == 1
    assert "recorded already" in campaigner.get(second["Location"]).content.decode()


def test_it_merges_a_paper_signature_with_an_address_that_signed_already(campaigner, instant_petition):
    post(campaigner, instant_petition, entry="a")
    post(campaigner, instant_petition, entry="b", name="Ada L.")

    assert Signature.objects.count() == 1
    assert counting.stored_count(instant_petition.pk) == 1


def test_it_audits_each_entry_without_names(campaigner, staff, petition):
    post(campaigner, petition)

    line = AuditRecord.objects.get(action="signature.paper_entry")
    assert line.actor == staff["campaigner"]
    assert line.details == {"signatures": 1, "with_email": True, "vouched": False}
    assert "Ada" not in str(line.details)


def test_it_refuses_entries_once_the_petition_is_closed(campaigner, petition):
    Petition.objects.filter(pk=petition.pk).update(state=Petition.State.CLOSED)

    response = post(campaigner, petition)

    assert response.status_code == 409
    assert "does not take signatures now" in response.content.decode()
    assert not Signature.objects.exists()


def test_it_answers_an_unknown_action_with_400(campaigner, petition):
    assert post(campaigner, petition, action="delete-everything").status_code == 400
