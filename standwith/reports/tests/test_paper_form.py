"""The blank paper signature form: one printable page in each of the petition's languages."""

import pytest
from pypdf import PdfReader

from standwith.campaigns.models import Organization
from standwith.conftest import otp_login, translate
from standwith.reports.tests.packet_helpers import flat, pdf_text, staff
from standwith.staff.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaigner(client, petition):
    otp_login(client, staff("campaigner", petition.organization, Role.CAMPAIGNER))
    return client


def form(client, petition, query=""):
    return client.get(f"/admin/reports/{petition.pk}/paper-form.pdf{query}")


def test_it_prints_the_petition_and_empty_rows_on_one_a4_page(campaigner, petition):
    response = form(campaigner, petition)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(__import__("io").BytesIO(response.content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4, landscape
    text = flat(pdf_text(response.content))
    assert "Free them" in text
    assert "Two young men are in danger." in text
    assert "To: A. President, President" in text
    for column in ("Full name", "Email address", "Country", "Show my name publicly", "Signature"):
        assert column in text
    assert "What happens to your data" in text
    assert "180 days after the petition closes" in text
    assert "/p/free-them/" in text


def test_it_prints_in_a_language_the_petition_is_translated_into(campaigner, petition):
    translate(petition, "ru", title="Освободите их", summary="Двое молодых людей в опасности.")

    text = flat(pdf_text(form(campaigner, petition, "?language=ru").content))

    assert "Освободите их" in text
    assert "Двое молодых людей в опасности." in text
    assert "Free them" not in text


def test_it_refuses_a_language_the_petition_has_no_text_in(campaigner, petition):
    response = form(campaigner, petition, "?language=fr")

    assert response.status_code == 400
    assert "Choose one of: en." in response.content.decode()


def test_it_refuses_a_made_up_language(campaigner, petition):
    assert form(campaigner, petition, "?language=%00%27").status_code == 400


def test_it_refuses_staff_of_another_organisation(client, petition):
    otp_login(client, staff("outsider", Organization.objects.create(slug="x", name="X"), Role.CAMPAIGNER))

    assert form(client, petition).status_code == 403


def test_it_sends_someone_signed_out_to_the_sign_in_page(client, petition):
    assert form(client, petition).status_code == 302
