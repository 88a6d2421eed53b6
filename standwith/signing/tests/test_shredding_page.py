"""The emergency erase page: only site admins, and only with the petition's address typed and a fresh app code."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from standwith.campaigns.models import Organization
from standwith.conftest import app_code, otp_login, sign_data
from standwith.signing.models import ErasureRecord, PetitionKey, Signature
from standwith.staff.models import AuditRecord, Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(client, petition, sign):
    sign(petition, **sign_data(email="ada@example.org"))
    sign(petition, **sign_data(name="Grace Hopper", email="grace@example.org"))
    client.logout()
    assert PetitionKey.objects.filter(petition=petition).exists()
    return petition


def page(petition) -> str:
    return reverse("emergency_erase", args=[petition.pk])


def staff(organization: Organization, role: str | None, *, superuser: bool = False) -> User:
    if superuser:
        return User.objects.create_superuser(f"super-{role}", "s@example.org", "unused-password-1")
    assert role is not None
    user = User.objects.create_user(f"{role}-person", f"{role}@example.org", None, is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def test_it_sits_under_the_reports_of_the_petition(signed):
    assert page(signed) == f"/admin/reports/{signed.pk}/emergency-erase/"


@pytest.mark.parametrize("role", [Role.CAMPAIGNER, Role.MODERATOR, Role.DATA_OFFICER])
def test_it_refuses_everyone_but_site_admins(client, signed, organization, role):
    device = otp_login(client, staff(organization, role))

    shown = client.get(page(signed))
    posted = client.post(page(signed), {"slug": signed.slug, "code": app_code(device)})

    assert (shown.status_code, posted.status_code) == (403, 403)
    assert PetitionKey.objects.filter(petition=signed).exists()


def test_it_sends_someone_signed_out_to_sign_in(client, signed):
    response = client.post(page(signed), {"slug": signed.slug, "code": "123456"})

    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert PetitionKey.objects.filter(petition=signed).exists()


def test_it_explains_what_will_happen_to_an_admin_of_any_organisation(client, signed):
    elsewhere = Organization.objects.create(slug="elsewhere", name="Elsewhere")
    otp_login(client, staff(elsewhere, Role.ADMIN))

    response = client.get(page(signed))

    text = response.content.decode()
    assert response.status_code == 200
    assert "cannot be undone" in text
    assert "about to be seized" in text
    assert f"<code>{signed.slug}</code>" in text
    assert "2 signers are concerned" in text


def test_it_answers_404_for_a_petition_that_does_not_exist(client, db):
    otp_login(client, staff(None, None, superuser=True))

    assert client.get("/admin/reports/99999/emergency-erase/").status_code == 404


def test_it_erases_with_the_slug_and_a_fresh_code_and_says_so(client, signed):
    admin = staff(None, "root", superuser=True)
    device = otp_login(client, admin)

    response = client.post(page(signed), {"slug": f"  {signed.slug} ", "code": app_code(device)}, follow=True)

    assert response.status_code == 200
    text = response.content.decode()
    assert "The data key is destroyed: the personal data of 2 signers can no longer be read." in text
    assert "Nothing is left to erase" in text
    assert not PetitionKey.objects.filter(petition=signed).exists()
    assert not Signature.objects.filter(petition=signed, erased_at__isnull=True).exists()
    assert AuditRecord.objects.filter(action="petition.emergency_erase", actor=admin).count() == 1
    assert ErasureRecord.objects.get().by == admin


@pytest.mark.parametrize(
    ("slug", "code", "problem"),
    [
        ("free-the", None, "The address you typed is not this petition&#x27;s. Nothing was erased."),
        ("FREE-THEM", None, "The address you typed is not this petition&#x27;s."),
        (None, "000000", "That code is not right, or was used already. Nothing was erased."),
        (None, "12345", "That code is not right"),
        (None, "", "This field is required."),
        ("", None, "This field is required."),
        ("x" * 10_000, None, "Ensure this value has at most 200 characters"),
        (None, "1" * 10_000, "Ensure this value has at most 40 characters"),
    ],
)
def test_it_refuses_a_wrong_confirmation_and_erases_nothing(client, signed, slug, code, problem):
    device = otp_login(client, staff(None, "root", superuser=True))
    right_code = app_code(device)

    response = client.post(
        page(signed), {"slug": signed.slug if slug is None else slug, "code": right_code if code is None else code}
    )

    assert response.status_code == 400
    assert problem in response.content.decode()
    assert PetitionKey.objects.filter(petition=signed).exists()
    assert Signature.objects.filter(petition=signed, erased_at__isnull=True).count() == 2
    assert not ErasureRecord.objects.exists()


def test_it_refuses_the_code_the_admin_signed_in_with_again(client, signed):
    admin = staff(None, "root", superuser=True)
    device = otp_login(client, admin)
    code = app_code(device)
    assert client.post(page(signed), {"slug": "wrong", "code": code}).status_code == 400  # uses up the code

    response = client.post(page(signed), {"slug": signed.slug, "code": code})

    assert response.status_code == 400
    assert PetitionKey.objects.filter(petition=signed).exists()
    assert AuditRecord.objects.filter(action="staff.second_factor_failed", actor=admin).exists()


def test_it_refuses_a_code_from_another_persons_app(client, signed):
    someone_else = otp_login(client, staff(None, "other", superuser=True))
    otp_login(client, staff(None, "root", superuser=True))

    response = client.post(page(signed), {"slug": signed.slug, "code": app_code(someone_else)})

    assert response.status_code == 400
    assert PetitionKey.objects.filter(petition=signed).exists()


def test_it_refuses_other_methods(client, signed):
    otp_login(client, staff(None, "root", superuser=True))

    assert client.put(page(signed)).status_code == 405


def test_it_shows_the_signer_list_and_a_signers_page_afterwards(client, signed):
    device = otp_login(client, staff(None, "root", superuser=True))
    signature = Signature.objects.filter(petition=signed).first()
    client.post(page(signed), {"slug": signed.slug, "code": app_code(device)})

    listing = client.get(f"/admin/signing/signature/?petition={signed.pk}")
    detail = client.get(f"/admin/signing/signature/{signature.pk}/change/")

    assert (listing.status_code, detail.status_code) == (200, 200)
    assert "Cannot be read: this petition&#x27;s data key has been erased." in detail.content.decode()
    assert "ada@example.org" not in (listing.content + detail.content).decode()


def test_it_gives_the_code_field_back_empty_after_a_refusal(client, signed):
    otp_login(client, staff(None, "root", superuser=True))

    response = client.post(page(signed), {"slug": signed.slug, "code": "000000"})

    text = response.content.decode()
    assert 'value="000000"' not in text
    assert f'value="{signed.slug}"' in text


def test_it_asks_to_wait_after_several_wrong_codes(client, signed):
    device = otp_login(client, staff(None, "root", superuser=True))
    # As after five wrong codes in a row just now: django-otp makes the next wait 16 seconds.
    device.throttling_failure_count = 4
    device.save()
    client.post(page(signed), {"slug": signed.slug, "code": "000000"})

    response = client.post(page(signed), {"slug": signed.slug, "code": app_code(device)})

    assert response.status_code == 400
    assert "Too many wrong codes in a row" in response.content.decode()
    assert PetitionKey.objects.filter(petition=signed).exists()
