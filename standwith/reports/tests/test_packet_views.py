"""The packet's staff page: who may ask for and download it, the build in the background, the audit trail."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from standwith.campaigns.models import Organization
from standwith.conftest import otp_login, translate
from standwith.reports.models import PacketBuild
from standwith.reports.tests.packet_helpers import pdf_text, signer, staff
from standwith.staff.models import AuditRecord, Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _packets_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def as_(client: Client, user: User) -> Client:
    otp_login(client, user)
    return client


def ask(client, petition, **data):
    return client.post(f"/admin/reports/{petition.pk}/packet/", data)


@pytest.mark.parametrize(
    "role", [Role.CAMPAIGNER, Role.DATA_OFFICER, Role.MODERATOR, Role.ADMIN], ids=lambda role: role.value
)
def test_it_lets_everyone_who_works_on_the_petition_build_and_download_it(client, petition, run_tasks, role):
    signer(petition, "Ada Lovelace", "ada@example.org")
    user = staff("someone", petition.organization, role)
    as_(client, user)

    response = ask(client, petition)
    assert response.status_code == 302
    assert run_tasks() >= 1
    build = PacketBuild.objects.get()
    page = client.get(f"/admin/reports/{petition.pk}/packet/")
    download = client.get(f"/admin/reports/{petition.pk}/packet/{build.pk}.pdf")

    assert build.state == PacketBuild.State.READY
    assert build.signatures == 1
    assert f"/admin/reports/{petition.pk}/packet/{build.pk}.pdf" in page.content.decode()
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "Ada Lovelace" in pdf_text(b"".join(download.streaming_content))
    actions = list(AuditRecord.objects.order_by("pk").values_list("action", "actor_name"))
    assert actions[-2:] == [("packet.request", "someone"), ("packet.download", "someone")]


def test_it_refuses_staff_of_another_organisation(client, petition):
    elsewhere = Organization.objects.create(slug="elsewhere", name="Elsewhere")
    for role in (Role.CAMPAIGNER, Role.DATA_OFFICER):
        client = Client()
        as_(client, staff(f"outsider-{role.value}", elsewhere, role))

        assert client.get(f"/admin/reports/{petition.pk}/packet/").status_code == 403
        assert ask(client, petition).status_code == 403
    assert not PacketBuild.objects.exists()


def test_it_refuses_a_download_to_an_outsider_even_with_the_address(client, petition, run_tasks):
    as_(client, staff("campaigner", petition.organization, Role.CAMPAIGNER))
    ask(client, petition)
    run_tasks()
    build = PacketBuild.objects.get()
    outsider = Client()
    as_(outsider, staff("outsider", Organization.objects.create(slug="x", name="X"), Role.CAMPAIGNER))

    response = outsider.get(f"/admin/reports/{petition.pk}/packet/{build.pk}.pdf")

    assert response.status_code == 403
    assert not AuditRecord.objects.filter(action="packet.download").exists()


def test_it_sends_someone_signed_out_to_the_sign_in_page(client, petition):
    response = client.get(f"/admin/reports/{petition.pk}/packet/")

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_it_offers_the_translations_and_includes_those_ticked(client, petition, run_tasks):
    translate(petition, "ru", title="Освободите их", summary="Двое.", body="Тело.")
    translate(petition, "fr", title="Libérez-les", summary="Deux.", body="Corps.")
    as_(client, staff("campaigner", petition.organization, Role.CAMPAIGNER))

    page = client.get(f"/admin/reports/{petition.pk}/packet/").content.decode()
    ask(client, petition, languages=["ru"])
    run_tasks()
    build = PacketBuild.objects.get()
    text = pdf_text(b"".join(client.get(f"/admin/reports/{petition.pk}/packet/{build.pk}.pdf").streaming_content))

    assert 'value="ru"' in page
    assert 'value="fr"' in page
    assert build.languages == ["ru"]
    assert "Освободите их" in text
    assert "Libérez-les" not in text


def test_it_refuses_a_language_the_petition_is_not_translated_into(client, petition):
    as_(client, staff("campaigner", petition.organization, Role.CAMPAIGNER))

    response = ask(client, petition, languages=["xx"])

    assert response.status_code == 400
    assert "is not one of the available choices" in response.content.decode()
    assert not PacketBuild.objects.exists()


def test_it_answers_404_for_a_packet_still_being_built_or_of_another_petition(client, petition, instant_petition):
    as_(client, staff("admin", petition.organization, Role.ADMIN))
    ask(client, petition)
    build = PacketBuild.objects.get()

    assert client.get(f"/admin/reports/{petition.pk}/packet/{build.pk}.pdf").status_code == 404
    assert client.get(f"/admin/reports/{instant_petition.pk}/packet/{build.pk}.pdf").status_code == 404
    assert client.get("/admin/reports/999999/packet/").status_code == 404


def test_it_links_the_packet_from_the_petition_staff_page(petition):
    from standwith.reports.links import petition_links

    assert (f"/admin/reports/{petition.pk}/packet/", "Delivery packet (PDF)") in petition_links(petition.pk)
    assert (f"/admin/reports/{petition.pk}/paper-form.pdf", "Blank paper form (PDF)") in petition_links(petition.pk)


def test_it_marks_a_build_that_failed_and_keeps_going(client, petition, run_tasks, settings, tmp_path):
    as_(client, staff("admin", petition.organization, Role.ADMIN))
    ask(client, petition)
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    settings.DATA_DIR = blocker

    run_tasks()

    build = PacketBuild.objects.get()
    assert build.state == PacketBuild.State.FAILED
    assert build.error
    assert "Failed" in client.get(f"/admin/reports/{petition.pk}/packet/").content.decode()
