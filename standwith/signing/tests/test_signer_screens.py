"""The data officers' screens: who may list, look up and read signers, and what each look leaves on the record."""

import re
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from standwith.campaigns.models import Organization, Petition
from standwith.conftest import otp_login
from standwith.signing import crypto
from standwith.signing.admin import SignatureAdmin
from standwith.signing.emails import parse_address
from standwith.signing.models import PetitionKey, Signature
from standwith.signing.services import Signer, sign
from standwith.staff.models import AuditRecord, Membership, Role

pytestmark = pytest.mark.django_db

LIST = "/admin/signing/signature/"
PEOPLE = ["campaigner", "moderator", "data_officer", "other_data_officer", "admin", "anonymous"]
READERS = {"data_officer", "admin"}


def signer(name: str, email: str, postcode: str = "", source: str = "") -> Signer:
    return Signer(name=name, email=parse_address(email), country="GB", postcode=postcode, source=source)


@pytest.fixture
def world(organization, petition):
    elsewhere = Organization.objects.create(slug="elsewhere", name="Elsewhere")
    grants = {
        "campaigner": (organization, Role.CAMPAIGNER),
        "moderator": (elsewhere, Role.MODERATOR),
        "data_officer": (organization, Role.DATA_OFFICER),
        "other_data_officer": (elsewhere, Role.DATA_OFFICER),
        "admin": (elsewhere, Role.ADMIN),
    }
    people = {}
    for name, (where, role) in grants.items():
        people[name] = User.objects.create_user(name, f"{name}@example.org", None, is_staff=True)
        Membership.objects.create(user=people[name], organization=where, role=role)
    sign(petition, signer("Ada Lovelace", "ada@example.org", postcode="SW1A 1AA", source="newsletter"))
    return {"people": people, "signature": Signature.objects.get(), "petition": petition}


def as_person(client, world, who):
    if who != "anonymous":
        otp_login(client, world["people"][who])
    return client


def signature_link(signature: Signature) -> str:
    return f"{LIST}{signature.pk}/change/"


def search(client, petition_id, address):
    return client.post(f"{LIST}?petition={petition_id}", {"q": address})


def assert_refused(response, who):
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("who", PEOPLE)
def test_it_lists_a_petitions_signers_only_to_its_data_officers_and_admins(client, world, who):
    response = as_person(client, world, who).get(LIST, {"petition": world["petition"].pk})

    if who in READERS:
        assert response.status_code == 200
        assert signature_link(world["signature"]) in response.content.decode()
    elif who == "other_data_officer":
        # Another organisation's petition is not theirs to choose: the list stays empty.
        assert response.status_code == 200
        assert signature_link(world["signature"]) not in response.content.decode()
    else:
        assert_refused(response, who)


@pytest.mark.parametrize("who", PEOPLE)
def test_it_shows_a_signers_personal_data_only_to_its_data_officers_and_admins(client, world, who):
    response = as_person(client, world, who).get(signature_link(world["signature"]))

    if who in READERS:
        assert response.status_code == 200
        page = response.content.decode()
        assert "Ada Lovelace" in page
        assert "ada@example.org" in page
        assert "SW1A 1AA" in page
    else:
        assert_refused(response, who)
        assert not AuditRecord.objects.filter(action="signature.view").exists()


@pytest.mark.parametrize("who", PEOPLE)
def test_it_finds_a_signer_by_address_only_for_its_data_officers_and_admins(client, world, who):
    response = search(as_person(client, world, who), world["petition"].pk, "ada@example.org")

    if who in READERS:
        assert response.status_code == 200
        assert signature_link(world["signature"]) in response.content.decode()
        assert AuditRecord.objects.filter(action="signature.search", actor=world["people"][who]).count() == 1
    elif who == "other_data_officer":
        assert response.status_code == 200
        assert signature_link(world["signature"]) not in response.content.decode()
        assert not AuditRecord.objects.filter(action="signature.search").exists()
    else:
        assert_refused(response, who)
        assert not AuditRecord.objects.filter(action="signature.search").exists()


@pytest.mark.parametrize("who", ["campaigner", "moderator", "data_officer", "admin"])
def test_it_shows_the_signatures_module_only_to_those_who_may_read_it(client, world, who):
    page = as_person(client, world, who).get("/admin/").content.decode()

    assert (LIST in page) == (who in READERS)


def test_it_records_who_read_which_signature_and_from_which_network(client, world):
    otp_login(client, world["people"]["data_officer"])

    client.get(signature_link(world["signature"]), REMOTE_ADDR="203.0.113.9")

    (entry,) = AuditRecord.objects.filter(action="signature.view")
    assert entry.actor == world["people"]["data_officer"]
    assert entry.object_type == "signing.signature"
    assert entry.object_id == str(world["signature"].pk)
    assert entry.network == "203.0.113.0/24"


def test_it_records_a_search_and_how_many_matched_but_never_the_address(client, world, petition):
    otp_login(client, world["people"]["data_officer"])

    found = search(client, petition.pk, "  ADA+petitions@Example.org ").content.decode()
    missed = search(client, petition.pk, "grace@example.org").content.decode()

    assert signature_link(world["signature"]) in found
    assert signature_link(world["signature"]) not in missed
    assert "No signature in this list has that address." in missed
    entries = AuditRecord.objects.filter(action="signature.search").order_by("pk")
    assert [entry.details for entry in entries] == [{"matched": 1}, {"matched": 0}]
    assert {entry.object_id for entry in entries} == {str(petition.pk)}
    for entry in entries:
        assert "example.org" not in f"{entry.details} {entry.object_repr}"
    # Nor does any link on the page carry it, for a log or a Referer to keep.
    assert not [href for href in re.findall(r'href="([^"]*)"', found) if "example.org" in unquote(href).lower()]


def test_it_takes_no_address_from_the_query_string(client, world, petition):
    otp_login(client, world["people"]["data_officer"])

    page = client.get(LIST, {"petition": petition.pk, "q": "grace@example.org"}).content.decode()

    assert signature_link(world["signature"]) in page
    assert not AuditRecord.objects.filter(action="signature.search").exists()


def test_it_answers_a_malformed_address_with_a_message_and_searches_nothing(client, world, petition):
    otp_login(client, world["people"]["data_officer"])

    response = search(client, petition.pk, "ada at example dot org")

    assert response.status_code == 200
    assert "That is not an email address" in response.content.decode()
    assert signature_link(world["signature"]) not in response.content.decode()
    assert not AuditRecord.objects.filter(action="signature.search").exists()


def test_it_asks_for_a_petition_before_searching(client, world):
    otp_login(client, world["people"]["admin"])

    page = client.post(LIST, {"q": "ada@example.org"}).content.decode()

    assert "Choose a petition first" in page
    assert signature_link(world["signature"]) not in page
    assert not AuditRecord.objects.filter(action="signature.search").exists()


def test_it_keeps_personal_data_off_the_list(client, world, petition):
    otp_login(client, world["people"]["data_officer"])

    listed = client.get(LIST, {"petition": petition.pk}).content.decode()
    detail = client.get(signature_link(world["signature"])).content.decode()

    assert signature_link(world["signature"]) in listed
    for secret in ["Ada Lovelace", "ada@example.org", "SW1A 1AA"]:
        assert secret not in listed
        assert secret in detail


def test_it_shows_no_rows_and_reads_no_signatures_until_a_petition_is_chosen(client, world):
    otp_login(client, world["people"]["admin"])

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)

    assert response.status_code == 200
    assert "Choose a petition under" in response.content.decode()
    assert signature_link(world["signature"]) not in response.content.decode()
    assert not [query["sql"] for query in queries if "signing_signature" in query["sql"]]


def test_it_counts_nothing_when_listing_or_searching_a_petitions_signers(client, world, petition):
    otp_login(client, world["people"]["admin"])

    with CaptureQueriesContext(connection) as listing:
        assert client.get(LIST, {"petition": petition.pk}).status_code == 200
    with CaptureQueriesContext(connection) as searching:
        assert search(client, petition.pk, "ada@example.org").status_code == 200

    assert not [query["sql"] for query in listing if "COUNT(" in query["sql"].upper()]
    # The one count a search makes is of the matches, through the (petition, email_digest) index.
    counts = [query["sql"] for query in searching if "COUNT(" in query["sql"].upper()]
    assert counts
    assert all("petition_id" in sql and "email_digest" in sql for sql in counts)


def test_it_pages_newest_first_with_newer_and_older_links_only(client, world, petition, monkeypatch):
    monkeypatch.setattr(SignatureAdmin, "list_per_page", 2)
    for n in range(2):
        sign(petition, signer(f"Signer {n}", f"signer{n}@example.org"))
    newest_first = list(Signature.objects.order_by("-created_at", "-pk"))
    otp_login(client, world["people"]["data_officer"])

    first = client.get(LIST, {"petition": petition.pk}).content.decode()
    second = client.get(LIST, {"petition": petition.pk, "p": 2}).content.decode()
    beyond = client.get(LIST, {"petition": petition.pk, "p": 9})

    assert [signature_link(s) in first for s in newest_first] == [True, True, False]
    assert [signature_link(s) in second for s in newest_first] == [False, False, True]
    assert ("‹ Newer" in first, "Older ›" in first) == (False, True)
    assert ("‹ Newer" in second, "Older ›" in second) == (True, False)
    assert beyond.status_code == 302


def test_it_lets_nobody_add_change_or_delete_a_signature(client, world):
    otp_login(client, world["people"]["admin"])
    signature = world["signature"]

    assert client.get(f"{LIST}add/").status_code == 403
    assert client.get(f"{LIST}{signature.pk}/delete/").status_code == 403
    assert client.post(signature_link(signature), {"state": "invalidated"}).status_code == 403
    signature.refresh_from_db()
    assert signature.state == Signature.State.PENDING


def test_it_says_so_when_a_signers_data_can_no_longer_be_read(client, world, petition):
    PetitionKey.objects.filter(petition=petition).delete()
    crypto.forget_keys()
    otp_login(client, world["people"]["data_officer"])

    response = client.get(signature_link(world["signature"]))

    assert response.status_code == 200
    assert "Cannot be read" in response.content.decode()


def test_it_refuses_another_organisations_signature_even_to_a_data_officer(client, world):
    foreign = Petition.objects.create(
        organization=Organization.objects.get(slug="elsewhere"),
        slug="foreign",
        title="Foreign",
        summary="S",
        body="B",
        state=Petition.State.OPEN,
    )
    sign(foreign, signer("Grace Hopper", "grace@example.org"))
    theirs = Signature.objects.get(petition=foreign)
    otp_login(client, world["people"]["data_officer"])

    assert client.get(signature_link(theirs)).status_code == 403
    assert signature_link(theirs) not in client.get(LIST, {"petition": foreign.pk}).content.decode()
