import pytest
from django.contrib.auth.models import User

from standwith.conftest import otp_login
from standwith.signing.models import ErasureRecord
from standwith.staff.models import Membership, Role

pytestmark = pytest.mark.django_db

LIST = "/admin/signing/erasurerecord/"


def member(organization, role: Role) -> User:
    user = User.objects.create_user(f"{role}-person", f"{role}@example.org", None, is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def test_it_shows_admins_what_was_erased_as_counts(client, petition, organization):
    ErasureRecord.objects.create(kind=ErasureRecord.Kind.RETENTION, petition=petition, signatures=1234)
    otp_login(client, member(organization, Role.ADMIN))

    page = client.get(LIST)

    assert page.status_code == 200
    assert "1234" in page.content.decode()
    assert "Kept past the retention period" in page.content.decode()


@pytest.mark.parametrize("role", [Role.CAMPAIGNER, Role.DATA_OFFICER, Role.MODERATOR])
def test_it_is_for_admins_only(client, organization, role):
    otp_login(client, member(organization, role))

    assert client.get(LIST).status_code == 403


def test_nobody_adds_changes_or_deletes_a_record(client, petition, organization):
    record = ErasureRecord.objects.create(kind=ErasureRecord.Kind.EMERGENCY, petition=petition, signatures=3)
    otp_login(client, User.objects.create_superuser("root", "root@example.org", None))

    assert client.get(f"{LIST}add/").status_code == 403
    assert client.post(f"{LIST}{record.pk}/change/", {"signatures": 0}).status_code == 403
    assert client.post(f"{LIST}{record.pk}/delete/", {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.signatures == 3
