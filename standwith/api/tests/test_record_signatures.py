from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from standwith.api.models import Scope
from standwith.signing import counting, crypto
from standwith.signing.models import Signature
from standwith.signing.services import Confirmation, confirm
from standwith.staff.services import pause_signing, set_read_only

pytestmark = pytest.mark.django_db

URL = "/api/v1/organization/petitions/free-them/signatures"
ADA = {"name": "Ada Lovelace", "email": "ada@example.org", "country": "GB"}


def person(n: int, **fields) -> dict[str, Any]:
    return {"name": f"Signer {n}", "email": f"signer{n}@example.org", "country": "FR", **fields}


def queued_mail_kinds() -> list[str]:
    return [
        task.args_kwargs["args"][1]
        for task in DBTaskResult.objects.filter(task_path="standwith.signing.tasks.send_signature_mail")
    ]


def test_it_records_one_signature_as_pending_and_mails_the_signer(api_post, petition, secret, run_tasks, mailoutbox):
    response = api_post(URL, {**ADA, "postcode": "sw1a 1aa", "source": "stall-12"}, secret)

    assert response.status_code == 202
    signature = Signature.objects.get()
    assert response.json() == {"recorded": 1, "signature_ids": [signature.pk]}
    assert signature.state == Signature.State.PENDING
    assert signature.channel == Signature.Channel.API
    assert signature.vouched_by_id is None
    assert signature.source == "stall-12"
    assert signature.language == "en"
    assert crypto.decrypt(petition.pk, "name", signature.name_encrypted) == "Ada Lovelace"
    assert crypto.decrypt(petition.pk, "postcode", signature.postcode_encrypted) == "SW1A 1AA"
    assert counting.stored_count(petition.pk) == 0
    assert run_tasks() == 1
    (message,) = mailoutbox
    assert message.to == ["ada@example.org"]
    assert "confirm" in message.subject.lower()


def test_it_counts_the_signature_once_the_signer_confirms(api_post, petition, secret):
    api_post(URL, ADA, secret)
    signature = Signature.objects.get()

    assert confirm(petition, signature.pk) == Confirmation.CONFIRMED

    assert counting.stored_count(petition.pk) == 1


def test_it_writes_to_the_signer_in_the_language_given(api_post, petition, secret):
    api_post(URL, {**ADA, "language": "ru"}, secret)

    assert Signature.objects.get().language == "ru"


def test_it_records_a_batch_of_three_in_order(api_post, petition, secret):
    response = api_post(URL, {"signatures": [person(1), person(2), person(3)]}, secret)

    assert response.status_code == 202
    ids = response.json()["signature_ids"]
    assert response.json()["recorded"] == 3
    assert ids == sorted(ids)
    assert Signature.objects.count() == 3
    assert queued_mail_kinds() == ["signed"] * 3


def test_it_takes_a_batch_of_a_hundred(api_post, petition, secret):
    response = api_post(URL, {"signatures": [person(n) for n in range(100)]}, secret)

    assert response.status_code == 202
    assert Signature.objects.count() == 100


@pytest.mark.parametrize("size", [0, 101])
def test_it_refuses_a_batch_that_is_empty_or_over_a_hundred(api_post, petition, secret, size):
    response = api_post(URL, {"signatures": [person(n) for n in range(size)]}, secret)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "signatures"
    assert Signature.objects.count() == 0


def test_it_records_none_of_a_batch_with_one_bad_entry_and_names_it(api_post, petition, secret):
    entries = [person(0), person(1, email="not-an-address"), person(2, country="XX")]

    response = api_post(URL, {"signatures": entries}, secret)

    assert response.status_code == 422
    data = response.json()
    assert data["error"] == "invalid"
    assert [problem["field"] for problem in data["errors"]] == ["signatures.1.email", "signatures.2.country"]
    assert Signature.objects.count() == 0
    assert queued_mail_kinds() == []


def test_it_names_a_missing_field_of_a_batch_entry(api_post, petition, secret):
    response = api_post(URL, {"signatures": [person(0), {"name": "No Address", "country": "FR"}]}, secret)

    assert response.status_code == 422
    assert [problem["field"] for problem in response.json()["errors"]] == ["signatures.1.email"]


def test_it_names_a_field_of_a_single_signature_without_a_prefix(api_post, petition, secret):
    response = api_post(URL, {**ADA, "email": "ada@"}, secret)

    assert response.status_code == 422
    assert [problem["field"] for problem in response.json()["errors"]] == ["email"]
    assert "name@example.org" in response.json()["errors"][0]["problem"]


def test_it_refuses_a_disposable_address_as_the_web_form_does(api_post, petition, secret):
    response = api_post(URL, {**ADA, "email": "ada@mailinator.com"}, secret)

    assert response.status_code == 422
    (problem,) = response.json()["errors"]
    assert problem["field"] == "email"
    assert "disposable" in problem["problem"]
    assert Signature.objects.count() == 0


@pytest.mark.parametrize("name", ["Салех Магамадов", "محمد علي", "Zoë 🌈", "王"])
def test_it_takes_names_in_any_script(api_post, petition, secret, name):
    assert api_post(URL, {**ADA, "name": name}, secret).status_code == 202

    assert crypto.decrypt(petition.pk, "name", Signature.objects.get().name_encrypted) == name


@pytest.mark.parametrize(
    ("name", "message"),
    [("🌈🌈🌈", "with letters"), ("12345", "with letters"), ("Ada\u202eecalevol", "cannot be shown"), ("   ", "name")],
)
def test_it_refuses_a_name_the_web_form_refuses(api_post, petition, secret, name, message):
    response = api_post(URL, {**ADA, "name": name}, secret)

    assert response.status_code == 422
    (problem,) = response.json()["errors"]
    assert problem["field"] == "name"
    assert message in problem["problem"]


class TestVouching:
    @pytest.fixture
    def vouching(self, organization):
        organization.vouches_offline = True
        organization.save()
        return organization

    def test_it_counts_a_signer_checked_offline_at_once(
        self, api_post, petition, secret, vouching, run_tasks, mailoutbox
    ):
        response = api_post(URL, {**ADA, "verified_offline": True}, secret)

        assert response.status_code == 202
        signature = Signature.objects.get()
        assert signature.state == Signature.State.VALIDATED
        assert signature.vouched_by_id == vouching.pk
        assert signature.confirmed_at is None
        assert counting.stored_count(petition.pk) == 1
        run_tasks()
        assert [message.to for message in mailoutbox] == [["ada@example.org"]]

    def test_it_lets_a_vouched_signer_still_confirm_their_address(self, api_post, petition, secret, vouching):
        api_post(URL, {**ADA, "verified_offline": True}, secret)
        signature = Signature.objects.get()

        assert confirm(petition, signature.pk) == Confirmation.CONFIRMED

        signature.refresh_from_db()
        assert signature.confirmed_at is not None
        assert counting.stored_count(petition.pk) == 1  # counted once, not again

    def test_it_vouches_only_for_those_marked(self, api_post, petition, secret, vouching):
        api_post(URL, {"signatures": [person(1, verified_offline=True), person(2)]}, secret)

        states = dict(Signature.objects.values_list("vouched_by_id", "state"))
        assert states == {vouching.pk: "validated", None: "pending"}

    def test_it_refuses_an_organisation_that_may_not_vouch_and_stores_nothing(self, api_post, petition, secret):
        response = api_post(URL, {"signatures": [person(1), person(2, verified_offline=True)]}, secret)

        assert response.status_code == 403
        assert response.json()["error"] == "cannot_vouch"
        assert Signature.objects.count() == 0
        assert queued_mail_kinds() == []

    def test_it_names_the_partner_that_vouched(self, api_post, petition, make_token, other_organization):
        other_organization.vouches_offline = True
        other_organization.save()
        petition.partners.add(other_organization)
        _, secret = make_token(organization=other_organization)

        assert api_post(URL, {**ADA, "verified_offline": True}, secret).status_code == 202

        assert Signature.objects.get().vouched_by_id == other_organization.pk

    def test_it_refuses_a_partner_that_may_not_vouch_even_if_the_owner_may(
        self, api_post, petition, make_token, vouching, other_organization
    ):
        petition.partners.add(other_organization)
        _, secret = make_token(organization=other_organization)

        response = api_post(URL, {**ADA, "verified_offline": True}, secret)

        assert response.status_code == 403
        assert Signature.objects.count() == 0


@pytest.mark.parametrize("state", ["closed", "archived"])
def test_it_refuses_a_petition_that_takes_no_signatures_with_409(api_post, petition, secret, state):
    petition.state = state
    petition.save()

    response = api_post(URL, ADA, secret)

    assert response.status_code == 409
    assert response.json()["error"] == "petition_closed"
    assert Signature.objects.count() == 0


def test_it_treats_a_petition_past_its_deadline_as_closed(api_post, petition, secret):
    petition.deadline = timezone.now() - timezone.timedelta(minutes=1)
    petition.save()

    assert api_post(URL, ADA, secret).status_code == 409


def test_it_asks_to_retry_later_while_signing_is_paused(api_post, petition, secret, token_admin):
    pause_signing(token_admin)

    response = api_post(URL, ADA, secret)

    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert response.json()["error"] == "signing_paused"
    assert Signature.objects.count() == 0


def test_it_answers_a_repeat_signer_alike_and_keeps_one_signature(api_post, petition, make_token):
    _, secret = make_token([Scope.RECORD_SIGNATURES])
    first = api_post(URL, ADA, secret)

    again = api_post(URL, {**ADA, "email": "ADA@example.org", "name": "Someone Else"}, secret)

    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json() == again.json() == {"recorded": 1, "signature_ids": None}
    signature = Signature.objects.get()
    assert crypto.decrypt(petition.pk, "name", signature.name_encrypted) == "Ada Lovelace"
    assert queued_mail_kinds() == ["signed", "signed_again"]


def test_it_gives_the_earlier_id_for_a_repeat_to_a_token_that_may_read_signers(api_post, petition, secret):
    first = api_post(URL, ADA, secret).json()["signature_ids"]

    assert api_post(URL, ADA, secret).json()["signature_ids"] == first


def test_it_records_a_batch_naming_one_signer_twice_once(api_post, petition, secret):
    response = api_post(URL, {"signatures": [ADA, {**ADA, "email": "Ada@Example.org"}]}, secret)

    assert response.json()["recorded"] == 2
    assert len(set(response.json()["signature_ids"])) == 1
    assert Signature.objects.count() == 1


def test_it_tells_ids_only_to_a_token_that_may_read_signers(api_post, petition, make_token):
    _, writer = make_token([Scope.RECORD_SIGNATURES, Scope.READ_STATISTICS])

    assert api_post(URL, ADA, writer).json() == {"recorded": 1, "signature_ids": None}


def test_it_is_never_cached(api_post, petition, secret):
    response = api_post(URL, ADA, secret)

    assert not response.has_header("ETag")
    assert "public" not in response.get("Cache-Control", "")


def test_it_counts_at_once_on_a_petition_without_email_verification(api_post, instant_petition, secret):
    response = api_post(f"/api/v1/organization/petitions/{instant_petition.slug}/signatures", ADA, secret)

    assert response.status_code == 202
    signature = Signature.objects.get()
    assert (signature.state, signature.vouched_by_id) == (Signature.State.VALIDATED, None)
    assert counting.stored_count(instant_petition.pk) == 1


@pytest.mark.parametrize("state", ["pending", "rejected"])
def test_it_refuses_its_own_petition_that_is_not_open_yet_with_409(api_post, petition, secret, state):
    petition.state = state
    petition.save()

    assert api_post(URL, ADA, secret).status_code == 409
    assert Signature.objects.count() == 0


def test_it_refuses_writes_in_json_while_the_site_is_read_only(api_post, petition, secret, token_admin):
    set_read_only(token_admin, True)

    response = api_post(URL, ADA, secret)

    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]
    assert Signature.objects.count() == 0
