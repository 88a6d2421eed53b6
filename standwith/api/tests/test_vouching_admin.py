import pytest
from django.contrib.auth.models import User

from standwith.conftest import otp_login
from standwith.staff.models import AuditRecord, Membership, Role

pytestmark = pytest.mark.django_db


def change(organization):
    return f"/admin/campaigns/organization/{organization.pk}/change/"


def form(organization, **extra):
    return {
        "slug": organization.slug,
        "name": organization.name,
        "website": "",
        "retention_days": organization.retention_days,
        **extra,
    }


def test_it_lets_a_superuser_let_an_organisation_vouch_and_audits_it(client, organization):
    otp_login(client, User.objects.create_superuser("root", "root@example.org", None))

    response = client.post(change(organization), form(organization, vouches_offline="on"))

    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.vouches_offline
    record = AuditRecord.objects.get(action="organization.edit")
    assert (record.actor_name, record.details) == ("root", {"fields": ["vouches_offline"]})


@pytest.mark.parametrize("role", [Role.ADMIN, Role.CAMPAIGNER])
def test_it_does_not_let_the_organisations_own_staff_make_it_vouch(client, organization, role):
    user = User.objects.create_user("ada", "ada@example.org", None, is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=role)
    otp_login(client, user)

    page = client.get(change(organization)).content.decode()
    client.post(change(organization), form(organization, name="Renamed", vouches_offline="on"))

    assert 'name="vouches_offline"' not in page
    organization.refresh_from_db()
    assert not organization.vouches_offline
    assert organization.name == ("Renamed" if role == Role.ADMIN else "All Out")
