import base64
import re
import time

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from standwith.conftest import app_code, otp_login
from standwith.staff.models import AuditRecord

pytestmark = pytest.mark.django_db

VERIFY = "/admin/second-factor/"
ENROL = "/admin/second-factor/enrol/"
RECOVERY = "/admin/second-factor/recovery-codes/"
PASSWORD = "a long passphrase of words"
RECOVERY_CODES = ["abcd2345", "efgh6723", "ijkl7654"]


def staff_member(password: str | None = None, **extra: bool) -> User:
    return User.objects.create_user("ada@example.org", "ada@example.org", password, is_staff=True, **extra)


def with_app(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def with_recovery_codes(user: User) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    for code in RECOVERY_CODES:
        device.token_set.create(token=code)
    return device


def half_signed_in(user: User) -> Client:
    """A browser where this person has given the right password and nothing more."""
    client = Client()
    client.force_login(user)
    return client


def actions() -> list[str]:
    return [record.action for record in AuditRecord.objects.order_by("pk")]


def test_it_sends_a_staff_member_with_only_a_password_to_enrol_before_any_admin_page():
    client = half_signed_in(staff_member(is_superuser=True))

    for page in ["/admin/", "/admin/campaigns/petition/", "/admin/auth/user/"]:
        response = client.get(page, follow=True)

        assert response.redirect_chain[-1][0] == f"{ENROL}?next={page.replace('/', '%2F')}"
        assert response.status_code == 200
        assert "Set up your authenticator app" in response.content.decode()


def test_it_sends_a_staff_member_with_an_app_to_give_a_code_before_any_admin_page():
    user = staff_member(is_superuser=True)
    with_app(user)
    client = half_signed_in(user)

    response = client.get("/admin/campaigns/petition/", follow=True)

    assert response.redirect_chain[-1][0] == f"{VERIFY}?next=%2Fadmin%2Fcampaigns%2Fpetition%2F"
    assert "Open the authenticator app on your phone" in response.content.decode()


def test_it_enrols_an_authenticator_app_from_the_first_sign_in_to_the_admin(client):
    user = staff_member(PASSWORD, is_superuser=True)

    signed_in = client.post("/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD})
    page = client.get(signed_in["Location"], follow=True)

    assert signed_in["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert page.redirect_chain[-1][0] == f"{ENROL}?next=%2Fadmin%2F"
    html = page.content.decode()
    assert '<img class="qr-code" src="data:image/svg+xml' in html
    secret = re.search(r'<code class="secret-key">([A-Z2-7 ]+)</code>', html)[1].replace(" ", "")
    key = base64.b32decode(secret)
    assert key == TOTPDevice.objects.get(user=user, confirmed=False).bin_key
    assert page["Cache-Control"].startswith("max-age=0, no-cache, no-store")

    wrong = client.post(ENROL, {"code": f"{(totp(key) + 1) % 1_000_000:06d}", "next": "/admin/"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()

    # A person takes a moment to type again; django-otp makes a device wait a second after a miss.
    time.sleep(1.05)
    right = client.post(ENROL, {"code": f"{totp(key):06d}", "next": "/admin/"})

    assert right.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{4} [a-z2-7]{4})</code></li>", right.content.decode())
    assert len(codes) == 10
    assert sorted(code.replace(" ", "") for code in codes) == sorted(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    assert 'href="/admin/"' in right.content.decode()
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/admin/").status_code == 200
    # Shown once: nothing the staff member can open again shows them.
    for page_after in [client.get(ENROL, follow=True), client.get(RECOVERY)]:
        assert not any(code in page_after.content.decode() for code in codes)
    assert actions() == ["staff.second_factor_failed", "staff.otp_enrolled", "staff.signed_in"]
    assert all(record.network == "127.0.0.0/24" for record in AuditRecord.objects.all())


def test_it_keeps_the_same_secret_until_enrolment_is_confirmed():
    client = half_signed_in(staff_member())

    first = client.get(ENROL).content.decode()
    again = client.get(ENROL).content.decode()

    assert TOTPDevice.objects.count() == 1
    secret = re.compile(r'<code class="secret-key">([A-Z2-7 ]+)</code>')
    assert secret.search(first)[1] == secret.search(again)[1]


def test_it_does_not_let_a_password_alone_replace_an_enrolled_app():
    user = staff_member()
    app = with_app(user)
    client = half_signed_in(user)

    shown = client.get(ENROL)
    posted = client.post(ENROL, {"code": "123456"})

    assert shown.status_code == posted.status_code == 302
    assert shown["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.all()) == [app]


def test_it_signs_in_with_a_code_from_the_app_and_goes_where_it_was_asked():
    user = staff_member(is_superuser=True)
    app = with_app(user)
    client = half_signed_in(user)
    half_session = client.session.session_key

    response = client.post(VERIFY, {"code": app_code(app), "next": "/admin/campaigns/petition/"})

    assert response.status_code == 302
    assert response["Location"] == "/admin/campaigns/petition/"
    assert client.get("/admin/campaigns/petition/").status_code == 200
    assert client.session.session_key != half_session
    record = AuditRecord.objects.get()
    assert (record.action, record.actor, record.details, record.network) == (
        "staff.signed_in",
        user,
        {"method": "totp"},
        "127.0.0.0/24",
    )


def test_it_accepts_a_code_typed_with_spaces():
    user = staff_member()
    app = with_app(user)
    code = app_code(app)

    response = half_signed_in(user).post(VERIFY, {"code": f" {code[:3]} {code[3:]} "})

    assert response.status_code == 302


def test_it_does_not_follow_a_next_address_to_another_site():
    user = staff_member()
    app = with_app(user)

    response = half_signed_in(user).post(VERIFY, {"code": app_code(app), "next": "https://evil.example/admin/"})

    assert response["Location"] == "/admin/"


def test_it_refuses_a_wrong_code_and_records_it():
    user = staff_member()
    app = with_app(user)
    client = half_signed_in(user)

    response = client.post(VERIFY, {"code": f"{(int(app_code(app)) + 1) % 1_000_000:06d}"})

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    record = AuditRecord.objects.get()
    assert (record.action, record.details, record.network) == (
        "staff.second_factor_failed",
        {"method": "totp"},
        "127.0.0.0/24",
    )


def test_it_accepts_a_recovery_code_once_and_never_twice():
    user = staff_member(is_superuser=True)
    with_app(user)
    with_recovery_codes(user)

    first = half_signed_in(user)
    used = first.post(VERIFY, {"code": "ABCD-2345"}, follow=True)
    again = half_signed_in(user).post(VERIFY, {"code": "abcd2345"})

    assert used.status_code == 200
    assert used.redirect_chain == [("/admin/", 302)]
    assert "2 are left" in used.content.decode()
    assert again.status_code == 400
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == ["efgh6723", "ijkl7654"]
    assert actions() == ["staff.signed_in", "staff.second_factor_failed"]
    assert [record.details["method"] for record in AuditRecord.objects.order_by("pk")] == [
        "recovery_code",
        "recovery_code",
    ]


def test_it_makes_a_new_set_of_recovery_codes_that_replaces_the_old():
    user = staff_member()
    client = Client()
    otp_login(client, user)
    with_recovery_codes(user)

    page = client.get(RECOVERY)
    renewed = client.post(RECOVERY)

    assert "You have 3 unused recovery codes" in page.content.decode()
    assert renewed.status_code == 200
    codes = [
        code.replace(" ", "") for code in re.findall(r"<li><code>([a-z2-7 ]{9})</code></li>", renewed.content.decode())
    ]
    assert len(codes) == 10
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    assert half_signed_in(user).post(VERIFY, {"code": codes[0]}).status_code == 302
    assert half_signed_in(user).post(VERIFY, {"code": RECOVERY_CODES[1]}).status_code == 400
    assert actions() == ["staff.recovery_codes_renewed", "staff.signed_in", "staff.second_factor_failed"]
    assert AuditRecord.objects.order_by("pk").first().details == {"recovery_codes": 10}


def test_it_renews_recovery_codes_only_for_someone_fully_signed_in():
    user = staff_member()
    with_app(user)
    with_recovery_codes(user)

    response = half_signed_in(user).post(RECOVERY)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert StaticToken.objects.count() == 3
    assert not AuditRecord.objects.exists()


def test_it_gives_someone_who_is_not_staff_nothing(client):
    User.objects.create_user("signer@example.org", "signer@example.org", PASSWORD)

    signed_in = client.post("/admin/login/", {"username": "signer@example.org", "password": PASSWORD})

    assert signed_in.status_code == 200
    assert "correct username and password for a staff account" in signed_in.content.decode()
    assert "_auth_user_id" not in client.session
    forced = half_signed_in(User.objects.get())
    for response in [
        forced.get(VERIFY),
        forced.get(ENROL),
        forced.post(ENROL, {"code": "123456"}),
        forced.get(RECOVERY),
    ]:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert not TOTPDevice.objects.exists()
    assert not AuditRecord.objects.exists()


def test_it_sends_someone_not_signed_in_to_the_password_page(client):
    for page in [VERIFY, ENROL, RECOVERY]:
        response = client.get(page)

        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    "code",
    [
        "",
        "   ",
        "12345",
        "1234567",
        "abc",
        "１２３４５６",
        "12345६",
        "abcd2345\x00",
        "код12345",
        "🏳️‍🌈" * 10,
        "9" * 5000,
    ],
)
def test_it_answers_bad_input_with_a_form_error_and_counts_no_attempt(code):
    user = staff_member()
    with_app(user)
    newcomer = User.objects.create_user("bo@example.org", "bo@example.org", None, is_staff=True)

    verifying = half_signed_in(user).post(VERIFY, {"code": code})
    enrolling = half_signed_in(newcomer).post(ENROL, {"code": code})

    for response in [verifying, enrolling]:
        assert response.status_code == 400
        assert 'class="errornote"' in response.content.decode()
    assert not AuditRecord.objects.exists()


def test_it_refuses_a_huge_body_with_a_400():
    user = staff_member()
    with_app(user)

    response = half_signed_in(user).post(VERIFY, {"code": "1" * 10_000_000})

    assert response.status_code == 400
    assert not AuditRecord.objects.exists()


def test_it_refuses_a_recovery_code_to_enrol():
    client = half_signed_in(staff_member())

    response = client.post(ENROL, {"code": "abcd2345"})

    assert response.status_code == 400
    assert "Type the 6 digits your app shows." in response.content.decode()


def test_it_lets_someone_halfway_through_signing_in_sign_out():
    user = staff_member()
    with_app(user)
    client = half_signed_in(user)

    response = client.post("/admin/second-factor/sign-out/")

    assert response["Location"] == "/admin/login/"
    assert "_auth_user_id" not in client.session


def test_it_links_the_recovery_codes_from_the_admin_home():
    client = Client()
    otp_login(client, staff_member(is_superuser=True))

    page = client.get("/admin/").content.decode()

    assert f'href="{RECOVERY}"' in page
