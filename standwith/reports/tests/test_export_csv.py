"""The CSV export of a petition's signers: who may have it, what it holds, how it streams, what it leaves on record."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from standwith.conftest import otp_login
from standwith.reports import export
from standwith.signing import crypto
from standwith.signing.emails import parse_address
from standwith.signing.erasure import erase
from standwith.signing.models import PetitionKey, Signature
from standwith.signing.services import Signer, confirm, sign
from standwith.staff.models import AuditRecord

pytestmark = pytest.mark.django_db

PEOPLE = ["campaigner", "moderator", "data_officer", "other_data_officer", "admin"]


def add_signer(petition, name, email, **fields):
    signature_id = sign(petition, Signer(name=name, email=parse_address(email), country="GB", **fields))
    confirm(petition, signature_id)
    return signature_id


@pytest.fixture
def officer(client, staff):
    otp_login(client, staff["data_officer"])
    return client


def download(client, petition, columns=("number", "name", "email", "country", "state"), states="confirmed"):
    return client.post(reverse("export_csv", args=[petition.pk]), {"columns": list(columns), "states": states})


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def rows(response) -> list[list[str]]:
    raw = body(response)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("who", PEOPLE)
def test_it_gives_the_export_only_to_the_organisations_data_officers_and_admins(client, staff, petition, who):
    add_signer(petition, "Ada Lovelace", "ada@example.org")
    otp_login(client, staff[who])

    page = client.get(reverse("export_csv", args=[petition.pk]))
    response = download(client, petition)

    if who in {"data_officer", "admin"}:
        assert page.status_code == 200
        assert response.status_code == 200
        assert ["1", "Ada Lovelace", "ada@example.org", "GB", "validated"] in rows(response)
    else:
        assert page.status_code == 403
        assert response.status_code == 403
        assert not AuditRecord.objects.filter(action__startswith="signature.export").exists()


def test_it_sends_anonymous_visitors_to_sign_in(client, petition):
    response = download(client, petition)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_it_writes_decrypted_values_in_unicode_with_a_bom_and_crlf(officer, petition):
    add_signer(petition, "Мария Иванова", "maria@example.org", postcode="SW1A 1AA")
    add_signer(petition, "فاطمة الزهراء", "fatima@example.org")

    response = download(officer, petition, columns=[column.key for column in export.COLUMNS])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="free-them-signers-')
    assert "no-store" in response["Cache-Control"]
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbfnumber,name,email,country,postcode,")
    assert b"\r\n" in raw
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [row["name"] for row in table] == ["Мария Иванова", "فاطمة الزهراء"]
    assert table[0]["email"] == "maria@example.org"
    assert table[0]["postcode"] == "SW1A 1AA"
    assert table[0]["channel"] == "web"
    assert table[0]["vouched"] == "no"
    assert table[0]["updates_campaign"] == "no"
    assert table[0]["confirmed_at"].endswith("Z")


def test_it_writes_only_the_chosen_columns_in_a_fixed_order(officer, petition):
    add_signer(petition, "Ada Lovelace", "ada@example.org")

    table = rows(download(officer, petition, columns=["country", "number"]))

    assert table == [["number", "country"], ["1", "GB"]]


def test_it_neutralises_cells_a_spreadsheet_would_run_as_formulas(officer, petition):
    for name, email in [("=1+1 Ada", "a@example.org"), ("+Bob", "b@example.org"), ("-Cy", "c@example.org")]:
        add_signer(petition, name, email)
    add_signer(petition, "@Dee", "d@example.org")

    names = [row[0] for row in rows(download(officer, petition, columns=["name"]))[1:]]

    assert names == ["'=1+1 Ada", "'+Bob", "'-Cy", "'@Dee"]


@pytest.mark.parametrize("cell", ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_it_neutralises_each_formula_start(cell):
    assert export.neutralise(cell) == "'" + cell


def test_it_leaves_ordinary_cells_alone():
    assert export.neutralise("Ada = Lovelace") == "Ada = Lovelace"


def test_it_quotes_commas_and_quotes_as_rfc_4180_says(officer, petition):
    add_signer(petition, 'Ada "Countess", Lovelace', "ada@example.org")

    raw = body(download(officer, petition, columns=["name"])).decode("utf-8-sig")

    assert raw == 'name\r\n"Ada ""Countess"", Lovelace"\r\n'


def test_it_exports_confirmed_signatures_by_default_and_every_one_on_request(officer, petition):
    add_signer(petition, "Ada Lovelace", "ada@example.org")
    sign(petition, Signer(name="Pending Person", email=parse_address("p@example.org"), country="GB"))

    confirmed = rows(download(officer, petition, columns=["name", "state"]))
    everyone = rows(download(officer, petition, columns=["name", "state"], states="all"))

    assert confirmed[1:] == [["Ada Lovelace", "validated"]]
    assert everyone[1:] == [["Ada Lovelace", "validated"], ["Pending Person", "pending"]]


def test_it_keeps_erased_signatures_as_rows_without_personal_data(officer, petition):
    add_signer(petition, "Ada Lovelace", "ada@example.org", postcode="N1 9GU")
    erased = add_signer(petition, "Gone Person", "gone@example.org", postcode="E1 6AN")
    erase(Signature.objects.filter(pk=erased))

    table = rows(download(officer, petition, columns=["name", "email", "postcode", "country", "state"]))

    assert table[1:] == [["Ada Lovelace", "ada@example.org", "GB", "N1 9GU", "validated"], ["", "", "GB", "", "erased"]]


def test_it_refuses_personal_columns_once_the_data_key_is_destroyed(officer, petition):
    add_signer(petition, "Ada Lovelace", "ada@example.org")
    PetitionKey.objects.filter(petition=petition).delete()
    crypto.forget_keys()

    refused = download(officer, petition, columns=["name", "country"])
    figures = download(officer, petition, columns=["country", "state"])

    assert refused.status_code == 409
    assert "data key was destroyed" in refused.content.decode()
    assert not AuditRecord.objects.filter(action="signature.export", details__columns=["name", "country"]).exists()
    assert rows(figures)[1:] == [["GB", "validated"]]


def test_it_exports_a_petition_nobody_signed(officer, petition):
    assert rows(download(officer, petition)) == [["number", "name", "email", "country", "state"]]


def test_it_refuses_no_columns_and_unknown_ones_with_400(officer, petition):
    assert download(officer, petition, columns=[]).status_code == 400
    assert download(officer, petition, columns=["name", "password"]).status_code == 400
    assert download(officer, petition, states="everything").status_code == 400
    assert not AuditRecord.objects.filter(action__startswith="signature.export").exists()


def test_it_records_the_export_its_choices_and_its_row_count(officer, staff, petition):
    add_signer(petition, "Ada Lovelace", "ada@example.org")
    add_signer(petition, "Grace Hopper", "grace@example.org")

    response = download(officer, petition, columns=["name", "email"], states="all")
    started = AuditRecord.objects.get(action="signature.export")
    assert not AuditRecord.objects.filter(action="signature.export_end").exists()
    body(response)  # the test client closes the response once it is read, as a server does

    ended = AuditRecord.objects.get(action="signature.export_end")
    for line in (started, ended):
        assert line.actor == staff["data_officer"]
        assert line.object_id == str(petition.pk)
        assert line.details["columns"] == ["name", "email"]
        assert line.details["states"] == "all"
    assert ended.details["rows"] == 2
    assert ended.details["finished"] is True
    assert "Ada" not in str(started.details) + str(ended.details)


def test_it_records_a_download_cut_short_as_unfinished(staff, petition, monkeypatch):
    monkeypatch.setattr(export, "PAGE", 1)
    for number in range(3):
        add_signer(petition, f"Signer {number}", f"s{number}@example.org")
    job = export.Export(petition, export.columns_from(["name"]), everyone=False, actor=staff["data_officer"])
    job.start()

    chunks = export.stream(job)
    next(chunks)
    next(chunks)
    chunks.close()  # what the server does when the client goes away

    ended = AuditRecord.objects.get(action="signature.export_end")
    assert ended.details["rows"] == 1
    assert ended.details["finished"] is False


def test_it_reads_pages_not_rows(officer, petition, monkeypatch):
    monkeypatch.setattr(export, "PAGE", 2)
    for number in range(7):
        add_signer(petition, f"Signer {number}", f"s{number}@example.org")
    response = download(officer, petition, columns=["number", "name"])
    assert response.streaming

    with CaptureQueriesContext(connection) as context:
        table = rows(response)

    assert [row[0] for row in table[1:]] == [str(number) for number in range(1, 8)]
    selects = [q["sql"] for q in context.captured_queries if q["sql"].startswith("SELECT")]
    # Four pages of at most two, and the empty one that ends it; no OFFSET, however deep.
    assert len(selects) == 5
    assert not any("OFFSET" in sql for sql in selects)


def test_it_marks_a_damaged_ciphertext_instead_of_failing_the_whole_file(officer, petition):
    signature_id = add_signer(petition, "Ada Lovelace", "ada@example.org")
    Signature.objects.filter(pk=signature_id).update(name_encrypted=b"x" * 40)

    assert rows(download(officer, petition, columns=["name", "email"]))[1:] == [[export.UNREADABLE, "ada@example.org"]]


def test_it_answers_404_for_an_unknown_petition(officer):
    assert officer.get(reverse("export_csv", args=[999999])).status_code == 404
