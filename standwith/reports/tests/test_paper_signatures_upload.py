"""Paper signatures from a CSV file: the preview of each row's problems, then recording the good rows once."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from standwith.conftest import otp_login
from standwith.reports import paper
from standwith.signing import counting
from standwith.signing.models import Signature
from standwith.staff.models import AuditRecord, Membership, Role

pytestmark = pytest.mark.django_db

GOOD = "name,email,country,postcode,show_publicly,updates,signed_on\r\n"


@pytest.fixture
def campaigner(client, organization):
    user = User.objects.create_user("campaigner", "c@example.org", None, is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=Role.CAMPAIGNER)
    otp_login(client, user)
    return client


def upload(client, petition, content, *, name="signers.csv", verified=False):
    raw = content.encode() if isinstance(content, str) else content
    data = {"action": "upload", "file": SimpleUploadedFile(name, raw, content_type="text/csv")}
    if verified:
        data["verified_in_person"] = "on"
    return client.post(reverse("paper_signatures", args=[petition.pk]), data)


def record(client, petition, ticket):
    return client.post(reverse("paper_signatures", args=[petition.pk]), {"action": "record", "ticket": ticket})


def test_it_previews_the_rows_and_records_nothing_yet(campaigner, instant_petition):
    response = upload(
        campaigner,
        instant_petition,
        "\ufeff" + GOOD + "Мария Иванова,maria@example.org,RU,,yes,no,\r\nAda Lovelace,,United Kingdom,N1 9GU,,,\r\n",
    )

    assert response.status_code == 200
    assert [row.data["name"] for row in response.context["upload"].good] == ["Мария Иванова", "Ada Lovelace"]
    assert response.context["upload"].good[1].data["country"] == "GB"
    assert "Record 2 signatures" in response.content.decode()
    assert not Signature.objects.exists()


def test_it_lists_each_rows_problems(campaigner, petition):
    content = GOOD + (
        "Ada Lovelace,ada@example.org,GB,,,,\r\n"
        "Bad Email,not-an-address,GB,,,,\r\n"
        "No Country,nc@example.org,,,,,\r\n"
        "Unknown Country,uc@example.org,Atlantis,,,,\r\n"
        "Ada Again,ADA@example.org,GB,,,,\r\n"
        "=HYPERLINK(x),f@example.org,GB,,,,\r\n"
        "Maybe,m@example.org,GB,,perhaps,,\r\n"
        "No Address,,GB,,,,\r\n"
        "Ada Lovelace,ada@example.org,GB,,,,\r\n"
    )

    response = upload(campaigner, petition, content)

    assert response.status_code == 200
    problems = {row.number: " ".join(row.problems) for row in response.context["upload"].bad}
    assert sorted(problems) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "Please check your email address" in problems[3]
    assert "Please choose your country." in problems[4]
    assert "Please choose your country from the list." in problems[5]
    assert "The same email address as row 2." in problems[6]
    assert "A name cannot start with" in problems[7]
    assert "write yes or no" in problems[8]
    assert "without an address it cannot count" in problems[9]
    assert "The same as row 2." in problems[10]
    page = response.content.decode()
    assert "Record 1 signature" in page
    assert "=HYPERLINK(x)" in page  # shown escaped, as text


def test_it_records_the_good_rows_once(campaigner, instant_petition):
    preview = upload(
        campaigner, instant_petition, GOOD + "Ada,ada@example.org,GB,,yes,yes,\r\nBob,,GB,,,,\r\nBad,,ZZ,,,,\r\n"
    )
    ticket = preview.context["ticket"]

    first = record(campaigner, instant_petition, ticket)
    second = record(campaigner, instant_petition, ticket)

    assert first.status_code == second.status_code == 302
    assert Signature.objects.filter(channel=Signature.Channel.PAPER).count() == 2
    assert counting.stored_count(instant_petition.pk) == 2
    ada = Signature.objects.get(show_name_publicly=True)
    assert ada.consent_campaign_updates
    assert "recorded already" in campaigner.get(second["Location"]).content.decode()
    line = AuditRecord.objects.get(action="signature.paper_upload")
    assert line.details == {"signatures": 2, "vouched": False}


def test_it_shows_the_count_after_recording(campaigner, petition):
    preview = upload(campaigner, petition, GOOD + "Ada,ada@example.org,GB,,,,\r\n")

    response = record(campaigner, petition, preview.context["ticket"])

    page = campaigner.get(response["Location"]).content.decode()
    assert "1 paper signature was recorded." in page
    assert Signature.objects.get().state == Signature.State.PENDING


def test_it_counts_rows_verified_in_person_when_the_organisation_vouches(campaigner, organization, petition):
    organization.vouches_offline = True
    organization.save()
    preview = upload(campaigner, petition, GOOD + "Ada,,GB,,,,\r\n", verified=True)

    record(campaigner, petition, preview.context["ticket"])

    signature = Signature.objects.get()
    assert signature.vouched_by == organization
    assert signature.state == Signature.State.VALIDATED


def test_it_does_not_trust_a_ticket_from_someone_else(client, campaigner, organization, instant_petition):
    preview = upload(campaigner, instant_petition, GOOD + "Ada,ada@example.org,GB,,,,\r\n")
    other = User.objects.create_user("other", "o@example.org", None, is_staff=True)
    Membership.objects.create(user=other, organization=organization, role=Role.CAMPAIGNER)
    client.logout()
    otp_login(client, other)

    record(client, instant_petition, preview.context["ticket"])
    record(client, instant_petition, "made-up")

    assert not Signature.objects.exists()


def test_it_refuses_a_file_over_the_size_limit_with_413(campaigner, petition):
    response = upload(campaigner, petition, GOOD + "x" * paper.MAX_UPLOAD_BYTES)

    assert response.status_code == 413
    assert "The file is too big" in response.content.decode()


def test_it_refuses_a_file_with_too_many_rows_with_413(campaigner, petition, monkeypatch):
    monkeypatch.setattr(paper, "MAX_UPLOAD_ROWS", 2)

    response = upload(campaigner, petition, GOOD + "A,a@example.org,GB,,,,\r\n" * 3)

    assert response.status_code == 413


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,country\r\nJosé,ES\r\n".encode("latin-1"), "not UTF-8"),
        (b"\x00\x01PK", "not a CSV file"),
        ("nom,pays\r\nAda,GB\r\n", "The first row must name the columns"),
        ("email\r\nada@example.org\r\n", "The first row must name the columns"),
        (GOOD, "no signatures below its header row"),
        ("", "The submitted file is empty."),
    ],
)
def test_it_refuses_a_file_it_cannot_read_with_a_clear_message(campaigner, petition, content, message):
    response = upload(campaigner, petition, content)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_it_refuses_a_missing_file(campaigner, petition):
    response = campaigner.post(reverse("paper_signatures", args=[petition.pk]), {"action": "upload"})

    assert response.status_code == 400
    assert "Choose a CSV file." in response.content.decode()
