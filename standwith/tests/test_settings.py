import base64
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from standwith.env import env_bool, env_int, env_key, env_list


def test_it_reads_booleans_strictly(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "Off")
    assert env_bool("FLAG") is False
    monkeypatch.setenv("FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG")


def test_it_reads_whole_numbers_within_bounds(monkeypatch):
    monkeypatch.setenv("NUMBER", "12")
    assert env_int("NUMBER", 1, maximum=20) == 12
    monkeypatch.setenv("NUMBER", "21")
    with pytest.raises(ImproperlyConfigured, match="at most 20"):
        env_int("NUMBER", 1, maximum=20)
    monkeypatch.setenv("NUMBER", "twelve")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("NUMBER", 1)


def test_it_reads_lists(monkeypatch):
    monkeypatch.setenv("ITEMS", " a.example, ,b.example ")
    assert env_list("ITEMS") == ["a.example", "b.example"]


def test_it_reads_keys_in_either_base64_alphabet(monkeypatch):
    key = bytes(range(200, 232))
    monkeypatch.setenv("KEY", base64.b64encode(key).decode())
    assert env_key("KEY") == key
    monkeypatch.setenv("KEY", base64.urlsafe_b64encode(key).decode().rstrip("="))
    assert env_key("KEY") == key
    monkeypatch.setenv("KEY", base64.b64encode(b"short").decode())
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        env_key("KEY")


def run_check(**changes: str | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "-m", "standwith", "check"], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_it_starts_with_proper_secrets():
    assert run_check().returncode == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SECRET_KEY", None),
        ("SECRET_KEY", "insecure-development-secret-key-do-not-use-in-production"),
        ("SECRET_KEY", "too-short"),
        ("STANDWITH_MASTER_KEY", None),
        ("STANDWITH_DIGEST_KEY", None),
        ("STANDWITH_DIGEST_KEY", base64.b64encode(b"not 32 bytes").decode()),
    ],
)
def test_it_refuses_to_start_without_real_secrets(name, value):
    result = run_check(**{name: value, "DEBUG": "0"})

    assert result.returncode != 0
    assert name in result.stderr


def test_it_refuses_the_same_key_for_encryption_and_digests():
    result = run_check(STANDWITH_DIGEST_KEY=os.environ["STANDWITH_MASTER_KEY"])

    assert result.returncode != 0
    assert "must differ" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"), [("EMAIL_URL", "ftp://mail.example"), ("STANDWITH_SITE_URL", "not a url"), ("PORT", "eighty")]
)
def test_it_refuses_a_malformed_setting(name, value):
    result = run_check(**{name: value})

    assert result.returncode != 0
    assert name in result.stderr
