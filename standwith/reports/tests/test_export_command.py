"""`standwith export <slug> --out FILE.csv --as <staff member>`: the same export, from the server's command line."""

import csv
import os
import stat

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from standwith.campaigns.models import Organization
from standwith.signing import crypto
from standwith.signing.emails import parse_address
from standwith.signing.models import PetitionKey
from standwith.signing.services import Signer, confirm, sign
from standwith.staff.models import AuditRecord, Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(organization):
    elsewhere = Organization.objects.create(slug="elsewhere", name="Elsewhere")
    grants = {
        "officer": (organization, Role.DATA_OFFICER),
        "campaigner": (organization, Role.CAMPAIGNER),
        "moderator": (organization, Role.MODERATOR),
        "other_officer": (elsewhere, Role.DATA_OFFICER),
        "admin": (elsewhere, Role.ADMIN),
    }
    for who, (where, role) in grants.items():
        user = User.objects.create_user(who, f"{who}@example.org", None, is_staff=True)
        Membership.objects.create(user=user, organization=where, role=role)


@pytest.fixture
def signed(petition):
    confirm(petition, sign(petition, Signer(name="Ада =Лавлейс", email=parse_address("ada@example.org"), country="GB")))
    return petition


def run(out, who="officer", *extra):
    call_command("export", "free-them", "--out", str(out), "--as", who, *extra)


@pytest.mark.parametrize("who", ["officer", "admin"])
def test_it_writes_the_file_for_a_data_officer_or_an_admin(people, signed, tmp_path, who):
    out = tmp_path / "signers.csv"

    run(out, who, "--columns", "name,email,country")

    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(raw.decode("utf-8-sig").splitlines())) == [
        ["name", "email", "country"],
        ["Ада =Лавлейс", "ada@example.org", "GB"],
    ]
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    ended = AuditRecord.objects.get(action="signature.export_end")
    assert ended.actor_name == who
    assert ended.details["via"] == "command"
    assert ended.details["rows"] == 1


@pytest.mark.parametrize("who", ["campaigner", "moderator", "other_officer", "nobody"])
def test_it_refuses_anyone_else(people, signed, tmp_path, who):
    out = tmp_path / "signers.csv"

    with pytest.raises(CommandError):
        run(out, who)

    assert not out.exists()
    assert not AuditRecord.objects.filter(action__startswith="signature.export").exists()


def test_it_exports_every_state_with_all(people, petition, tmp_path):
    sign(petition, Signer(name="Pending Person", email=parse_address("p@example.org"), country="GB"))
    out = tmp_path / "signers.csv"

    run(out, "officer", "--columns", "state", "--all")

    assert out.read_bytes().decode("utf-8-sig").splitlines() == ["state", "pending"]


def test_it_never_writes_over_an_existing_file(people, signed, tmp_path):
    out = tmp_path / "signers.csv"
    out.write_text("keep me")

    with pytest.raises(CommandError, match="cannot create"):
        run(out)

    assert out.read_text() == "keep me"


def test_it_refuses_unknown_columns_and_petitions(people, signed, tmp_path):
    with pytest.raises(CommandError, match="unknown columns: password"):
        run(tmp_path / "a.csv", "officer", "--columns", "name,password")
    with pytest.raises(CommandError, match="no petition"):
        call_command("export", "nope", "--out", str(tmp_path / "b.csv"), "--as", "officer")


def test_it_refuses_personal_columns_once_the_key_is_destroyed(people, signed, tmp_path):
    PetitionKey.objects.all().delete()
    crypto.forget_keys()

    with pytest.raises(CommandError, match="data key was destroyed"):
        run(tmp_path / "a.csv", "officer", "--columns", "name")
    assert not (tmp_path / "a.csv").exists()
