"""Each role against each staff screen: what it may see and change, and what it is refused."""

import pytest
from django.contrib.auth.models import User

from standwith.campaigns.models import Case, Organization, Petition
from standwith.conftest import otp_login
from standwith.staff.models import AuditRecord, Membership, Role

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


def status(client, world, who, address):
    otp_login(client, world["people"][who])
    return client.get(address.format(**{key: value.pk for key, value in world.items() if key != "people"})).status_code


# (address, people who get the page; everyone else is refused)
PAGES = [
    ("/admin/campaigns/petition/", {"own_campaigner", "other_campaigner", "moderator", "admin"}),
    ("/admin/campaigns/petition/{petition}/change/", {"own_campaigner", "moderator", "admin"}),
    ("/admin/campaigns/petition/{foreign}/change/", {"other_campaigner", "moderator", "admin"}),
    ("/admin/campaigns/petition/add/", {"own_campaigner", "other_campaigner", "admin"}),
    ("/admin/campaigns/petition/{petition}/delete/", {"admin"}),
    ("/admin/campaigns/case/{case}/change/", {"own_campaigner", "moderator", "admin"}),
    ("/admin/staff/auditrecord/", {"admin"}),
    ("/admin/staff/membership/add/", {"admin"}),
]


@pytest.mark.parametrize(("address", "allowed"), PAGES)
@pytest.mark.parametrize("who", PEOPLE)
def test_it_shows_each_staff_page_only_to_the_roles_it_is_for(client, world, who, address, allowed):
    code = status(client, world, who, address)

    if who in allowed:
        assert code == 200
    else:
        assert code in {302, 403, 404}  # Django's admin hides what it refuses


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

    response = client.post(
        f"/admin/campaigns/petition/{world['petition'].pk}/change/",
        {"title": "Hijacked", "slug": "free-them", "summary": "S", "body": "B", "language": "en", "goal": 10},
    )

    assert response.status_code in {302, 403, 404}
    assert Petition.objects.get(pk=world["petition"].pk).title == "Free them"
    assert not AuditRecord.objects.exists()


def test_it_audits_a_campaigners_edit_with_the_fields_it_changed(client, world):
    otp_login(client, world["people"]["own_campaigner"])
    petition = world["petition"]
    form = {
        "organization": petition.organization.pk,
        "slug": petition.slug,
        "title": "Free them now",
        "summary": petition.summary,
        "body": petition.body,
        "language": "en",
        "goal": petition.goal,
        "verification": petition.verification,
        "targets": [target.pk for target in petition.targets.all()],
        "campaigns-translation-content_type-object_id-TOTAL_FORMS": "0",
        "campaigns-translation-content_type-object_id-INITIAL_FORMS": "0",
        "responses-TOTAL_FORMS": "0",
        "responses-INITIAL_FORMS": "0",
    }

    response = client.post(f"/admin/campaigns/petition/{petition.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Petition.objects.get(pk=petition.pk).title == "Free them now"
    entry = AuditRecord.objects.get()
    assert (entry.action, entry.actor_name, entry.details["fields"]) == ("petition.edit", "own_campaigner", ["title"])
