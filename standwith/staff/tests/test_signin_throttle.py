import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.models import User
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from standwith.conftest import app_code
from standwith.staff.models import AuditRecord

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
VERIFY = "/admin/second-factor/"
PASSWORD = "a long passphrase of words"
HOME = "198.51.100.7"
ELSEWHERE = "203.0.113.9"


def staff_member(password: str | None = None) -> User:
    return User.objects.create_user("ada@example.org", "ada@example.org", password, is_staff=True)


def sign_in(client: Client, password: str, address: str = HOME, headers: dict[str, str] | None = None):
    return client.post(
        LOGIN, {"username": "ada@example.org", "password": password}, REMOTE_ADDR=address, headers=headers
    )


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(app_code(device)) + 1) % 1_000_000:06d}"


def half_signed_in(user: User) -> Client:
    client = Client(REMOTE_ADDR=HOME)
    client.force_login(user)
    return client


def test_it_locks_a_username_from_an_address_after_five_wrong_passwords(client):
    staff_member(PASSWORD)

    refused = [sign_in(client, f"wrong guess {n}") for n in range(5)]
    right = sign_in(client, PASSWORD, headers={"Accept-Language": "ru"})

    assert [response.status_code for response in refused] == [200, 200, 200, 200, 429]
    assert "signing in to this account from your network is paused for 15 minutes" in refused[-1].content.decode()
    assert right.status_code == 429
    assert '<html lang="ru"' in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_locks_only_that_username_from_that_address(client):
    staff_member(PASSWORD)
    for n in range(5):
        sign_in(client, f"wrong guess {n}")

    from_elsewhere = sign_in(Client(), PASSWORD, address=ELSEWHERE)

    assert from_elsewhere.status_code == 302
    assert from_elsewhere["Location"].startswith(VERIFY)


def test_it_counts_failures_by_the_peer_not_by_a_forwarded_for_header_it_cannot_trust(client):
    staff_member()

    responses = [sign_in(client, "wrong", headers={"X-Forwarded-For": f"192.0.2.{n}"}) for n in range(5)]

    assert responses[-1].status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HOME}


def test_it_clears_the_count_of_wrong_passwords_after_a_right_one(client):
    staff_member(PASSWORD)
    for _ in range(2):
        sign_in(client, "wrong")

    assert sign_in(client, PASSWORD).status_code == 302
    assert sign_in(Client(), "wrong").status_code == 200
    assert AccessAttempt.objects.get().failures_since_start == 1
    assert not AccessLog.objects.exists()


def test_it_throttles_wrong_second_factor_codes_too():
    user = staff_member()
    app = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client = half_signed_in(user)

    refused = [client.post(VERIFY, {"code": wrong_code(app)}) for _ in range(5)]
    right = client.post(VERIFY, {"code": app_code(app)})

    assert [response.status_code for response in refused] == [400, 400, 400, 400, 429]
    assert right.status_code == 429
    assert "paused for 15 minutes" in right.content.decode()
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert [record.action for record in AuditRecord.objects.all()] == ["staff.second_factor_failed"] * 5


def test_it_asks_to_wait_after_a_wrong_code_before_checking_another():
    user = staff_member()
    app = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client = half_signed_in(user)

    client.post(VERIFY, {"code": wrong_code(app)})
    at_once = client.post(VERIFY, {"code": app_code(app)})

    assert at_once.status_code == 400
    assert "please wait a few seconds" in at_once.content.decode()


def test_it_does_not_let_a_right_password_start_a_fresh_round_of_code_guesses():
    user = staff_member(PASSWORD)
    app = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    first, second = Client(), Client()
    sign_in(first, PASSWORD)
    guesses = [first.post(VERIFY, {"code": wrong_code(app)}, REMOTE_ADDR=HOME) for _ in range(4)]

    signed_in_again = sign_in(second, PASSWORD)
    guess = second.post(VERIFY, {"code": wrong_code(app)}, REMOTE_ADDR=HOME)

    assert [response.status_code for response in guesses] == [400] * 4
    assert signed_in_again.status_code == 302
    assert guess.status_code == 429


def test_it_clears_the_count_of_wrong_codes_after_a_right_one():
    user = staff_member()
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    recovery.token_set.create(token="abcd2345")
    client = half_signed_in(user)
    for _ in range(4):
        client.post(VERIFY, {"code": "000000"})

    assert client.post(VERIFY, {"code": "abcd2345"}).status_code == 302
    later = half_signed_in(user)
    assert [later.post(VERIFY, {"code": "000000"}).status_code for _ in range(4)] == [400] * 4


def test_it_forgets_failed_sign_ins_once_they_no_longer_count(db):
    import datetime

    from axes.models import AccessAttempt
    from django.utils import timezone

    from standwith.staff.services import purge_sign_in_attempts

    old = AccessAttempt.objects.create(username="old", ip_address="203.0.113.9", failures_since_start=5)
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - datetime.timedelta(hours=1))
    recent = AccessAttempt.objects.create(username="recent", ip_address="203.0.113.10", failures_since_start=2)

    assert purge_sign_in_attempts() == 1

    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [recent.pk]
