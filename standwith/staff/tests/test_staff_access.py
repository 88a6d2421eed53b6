"""Each role against each staff screen: what it may see and change, and what it is refused."""

import pytest
from django.contrib.auth.models import User

from standwith.campaigns.models import Case, Organization, Petition
from standwith.conftest import otp_login
from standwith.staff.models import AuditRecord, Membership, Role
from standwith.staff.tests.test_admin_moves import translation_post

pytestmark = pytest.mark.django_db

PEOPLE = ["own_campaigner", "other_campaigner", "moderator", "data_officer", "admin", "no_role"]


@pytest.fixture
def world(organization, petition):
    elsewhere = Organization.objects.create(slug="elsewhere", name="Elsewhere")
    case = Case.objects.create(organization=organization, slug="their-case", title="Their case", summary="S")
    foreign = Petition.objects.create(
        organization=elsewhere, slug="foreign", title="Foreign", summary="S", body="B", state=Petition.State.OPEN
    )
    people = {}
    grants = {
        "own_campaigner": (organization, Role.CAMPAIGNER),
        "other_campaigner": (elsewhere, Role.CAMPAIGNER),
        "moderator": (elsewhere, Role.MODERATOR),
        "data_officer": (organization, Role.DATA_OFFICER),
        "admin": (elsewhere, Role.ADMIN),
    }
    for name in PEOPLE:
        people[name] = User.objects.create_user(name, f"{name}@example.org", None, is_staff=True)
        if name in grants:
            where, role = grants[name]
            Membership.objects.create(user=people[name], organization=where, role=role)
    return {"people": people, "petition": petition, "foreign": foreign, "case": case}


def response_for(client, world, who, address):
    otp_login(client, world["people"][who])
    return client.get(address.format(**{key: value.pk for key, value in world.items() if key != "people"}))


# (address, people who get the page; everyone else is refused)
PAGES = [
    ("/admin/campaigns/petition/", {"own_campaigner", "other_campaigner", "moderator", "admin"}),
    ("/admin/campaigns/petition/{petition}/change/", {"own_campaigner", "moderator", "admin"}),
    ("/admin/campaigns/petition/{foreign}/change/", {"other_campaigner", "moderator", "admin"}),
    ("/admin/campaigns/petition/add/", {"own_campaigner", "other_campaigner", "admin"}),
    ("/admin/campaigns/petition/{petition}/delete/", {"admin"}),
    ("/admin/campaigns/case/{case}/change/", {"own_campaigner", "moderator", "admin"}),
    ("/admin/campaigns/target/add/", {"own_campaigner", "other_campaigner", "admin"}),
    ("/admin/staff/auditrecord/", {"admin"}),
    ("/admin/staff/membership/add/", {"admin"}),
]


@pytest.mark.parametrize(("address", "allowed"), PAGES)
@pytest.mark.parametrize("who", PEOPLE)
def test_it_shows_each_staff_page_only_to_the_roles_it_is_for(client, world, who, address, allowed):
    response = response_for(client, world, who, address)

    if who in allowed:
        assert response.status_code == 200
    elif response.status_code == 302:
        # Django's admin sends someone away from an object they may not see, to its own home page.
        assert response["Location"] == "/admin/"
    else:
        assert response.status_code == 403


def test_it_lists_only_a_campaigners_own_organisations_petitions(client, world):
    otp_login(client, world["people"]["own_campaigner"])

    page = client.get("/admin/campaigns/petition/").content.decode()

    assert "Free them" in page
    assert "Foreign" not in page


def test_it_shows_a_moderator_every_organisations_petitions_but_no_edit_form(client, world):
    otp_login(client, world["people"]["moderator"])

    listing = client.get("/admin/campaigns/petition/").content.decode()
    form = client.get(f"/admin/campaigns/petition/{world['petition'].pk}/change/").content.decode()

    assert "Free them" in listing
    assert "Foreign" in listing
    assert 'name="title"' not in form  # read only: moderators move petitions, they do not rewrite them


def test_it_refuses_a_campaigners_edit_of_another_organisations_petition(client, world):
    otp_login(client, world["people"]["other_campaigner"])

    petition = world["petition"]
    form = change_form(petition, title="Hijacked")

    response = client.post(f"/admin/campaigns/petition/{petition.pk}/change/", form)

    # The admin treats what is outside a person's scope as not there, and sends them home.
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert Petition.objects.get(pk=world["petition"].pk).title == "Free them"
    assert not AuditRecord.objects.exists()


def test_it_audits_a_campaigners_edit_with_the_fields_it_changed(client, world):
    otp_login(client, world["people"]["own_campaigner"])
    petition = world["petition"]
    form = change_form(petition, title="Free them now")

    response = client.post(f"/admin/campaigns/petition/{petition.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Petition.objects.get(pk=petition.pk).title == "Free them now"
    entry = AuditRecord.objects.get()
    assert (entry.action, entry.actor_name, entry.details["fields"]) == ("petition.edit", "own_campaigner", ["title"])


def change_form(petition, **changes):
    """The petition's change form as the admin sends it, valid, with these fields changed."""
    return translation_post(petition, []) | changes
