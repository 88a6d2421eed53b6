import pytest
from django.contrib.auth.models import User

from standwith.campaigns.models import Organization
from standwith.staff.models import Membership, Role


@pytest.fixture
def staff(organization: Organization) -> dict[str, User]:
    """One staff member per role, of the petition's organisation or of another one, by name."""
    elsewhere = Organization.objects.create(slug="elsewhere", name="Elsewhere")
    grants = {
        "campaigner": (organization, Role.CAMPAIGNER),
        "data_officer": (organization, Role.DATA_OFFICER),
        "moderator": (elsewhere, Role.MODERATOR),
        "admin": (elsewhere, Role.ADMIN),
        "other_campaigner": (elsewhere, Role.CAMPAIGNER),
        "other_data_officer": (elsewhere, Role.DATA_OFFICER),
    }
    people = {}
    for who, (where, role) in grants.items():
        people[who] = User.objects.create_user(who, f"{who}@example.org", None, is_staff=True)
        Membership.objects.create(user=people[who], organization=where, role=role)
    return people
