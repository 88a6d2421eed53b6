import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from standwith.cli import genkeys

pytestmark = pytest.mark.django_db


def create_staff(monkeypatch, password, *args):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    call_command("createstaff", *args, "--password-stdin", stdout=io.StringIO())


def signs_in(client, username, password):
    """The admin's password page takes these (and asks for the second factor next)."""
    response = client.post("/admin/login/", {"username": username, "password": password})
    return response.status_code == 302 and response["Location"].startswith("/admin/second-factor/")


def test_it_creates_a_staff_account_that_can_sign_in(monkeypatch, client):
    create_staff(monkeypatch, "a long passphrase of words", "Campaigner@Example.org")

    user = get_user_model().objects.get()
    assert (user.username, user.is_staff, user.is_superuser) == ("campaigner@example.org", True, False)
    assert signs_in(client, "campaigner@example.org", "a long passphrase of words")


def test_it_creates_an_admin_when_asked(monkeypatch):
    create_staff(monkeypatch, "a long passphrase of words", "admin@example.org", "--admin")

    assert get_user_model().objects.get().is_superuser


def test_it_refuses_a_weak_password(monkeypatch):
    with pytest.raises(CommandError, match="too short"):
        create_staff(monkeypatch, "short", "staff@example.org")
    with pytest.raises(CommandError, match="too common"):
        create_staff(monkeypatch, "password1234", "staff@example.org")
    assert not get_user_model().objects.exists()


def test_it_resets_the_password_of_an_existing_account(monkeypatch, client):
    create_staff(monkeypatch, "a long passphrase of words", "staff@example.org")
    create_staff(monkeypatch, "another long passphrase", "staff@example.org")

    assert get_user_model().objects.count() == 1
    assert signs_in(client, "staff@example.org", "another long passphrase")


def test_it_makes_three_distinct_keys_of_the_right_size():
    import base64

    lines = dict(line.split("=", 1) for line in genkeys().splitlines())
    assert sorted(lines) == ["SECRET_KEY", "STANDWITH_DIGEST_KEY", "STANDWITH_MASTER_KEY"]
    assert len(lines["SECRET_KEY"]) >= 50
    assert len(base64.urlsafe_b64decode(lines["STANDWITH_MASTER_KEY"])) == 32
    assert lines["STANDWITH_MASTER_KEY"] != lines["STANDWITH_DIGEST_KEY"]
