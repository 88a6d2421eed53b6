import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from standwith.campaigns.models import Petition
from standwith.conftest import otp_login
from standwith.staff.models import AuditRecord, Membership, ReasonTemplate, Role

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/campaigns/petition/"


def staff_member(name: str, **extra: bool) -> User:
    user = User.objects.create_user(name, f"{name}@example.org", None, is_staff=True, **extra)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_petition", "change_petition"]))
    return user


def test_it_moves_petitions_through_the_lifecycle_from_the_admin(client, petition):
    Petition.objects.filter(pk=petition.pk).update(state=Petition.State.PENDING)
    otp_login(client, staff_member("root", is_superuser=True))

    response = client.post(CHANGELIST, {"action": "move_to_open", "_selected_action": [petition.pk]}, follow=True)

    assert response.status_code == 200
    assert Petition.objects.get(pk=petition.pk).state == Petition.State.OPEN
    assert AuditRecord.objects.get().action == "petition.publish"


def test_it_refuses_a_move_the_role_does_not_allow_and_says_why(client, petition):
    Petition.objects.filter(pk=petition.pk).update(state=Petition.State.PENDING)
    campaigner = staff_member("campaigner")
    Membership.objects.create(user=campaigner, organization=petition.organization, role=Role.CAMPAIGNER)
    otp_login(client, campaigner)

    response = client.post(CHANGELIST, {"action": "move_to_open", "_selected_action": [petition.pk]}, follow=True)

    assert "Your role does not allow this." in response.content.decode()
    assert Petition.objects.get(pk=petition.pk).state == Petition.State.PENDING
    assert not AuditRecord.objects.exists()


def test_it_does_not_let_the_edit_form_change_the_state(client, petition):
    otp_login(client, staff_member("root", is_superuser=True))

    page = client.get(f"{CHANGELIST}{petition.pk}/change/").content.decode()

    assert 'name="state"' not in page


def test_it_offers_only_the_translatable_fields_and_site_languages_for_translations(client, campaign):
    otp_login(client, staff_member("root", is_superuser=True))

    page = client.get(f"{CHANGELIST}{campaign.pk}/change/").content.decode()

    assert 'value="body"' in page
    assert 'value="slug"' not in page
    assert 'value="ar"' in page
    assert "Свободу Салеху и Исмаилу" in page  # the Russian title, ready to edit


def test_it_asks_a_moderator_for_a_reason_then_removes_the_petition(client, petition):
    Petition.objects.filter(pk=petition.pk).update(published_at=timezone.now())
    moderator = staff_member("moderator")
    Membership.objects.create(user=moderator, organization=petition.organization, role=Role.MODERATOR)
    otp_login(client, moderator)
    chosen = {"action": "move_to_rejected_with_reason", "_selected_action": [petition.pk]}

    asked = client.post(CHANGELIST, chosen)
    missing = client.post(CHANGELIST, {**chosen, "apply": "1", "template": "", "details": "  "})
    duplicate = ReasonTemplate.objects.get(title="Duplicate")
    done = client.post(CHANGELIST, {**chosen, "apply": "1", "template": duplicate.pk, "details": "See /p/other/."})

    assert "The reason is kept in the audit log" in asked.content.decode()
    assert "Please choose a reason or write one." in missing.content.decode()
    assert done.status_code == 302
    removed = Petition.objects.get(pk=petition.pk)
    assert removed.state == Petition.State.REJECTED
    assert removed.removal_reason == f"{duplicate.text} See /p/other/."
    assert AuditRecord.objects.get().details["reason"] == removed.removal_reason
    gone = client.get(f"/en/p/{petition.slug}/")
    assert gone.status_code == 410
    assert "It repeats a petition that is already open here." in gone.content.decode()


def test_it_lists_the_review_queue_oldest_first(client, petition, organization):
    for slug in ["newer", "newest"]:
        Petition.objects.create(
            organization=organization, slug=slug, title=slug.title(), summary="S", body="B", state="pending"
        )
    Petition.objects.filter(pk=petition.pk).update(state=Petition.State.PENDING)
    otp_login(client, staff_member("root", is_superuser=True))

    page = client.get(f"{CHANGELIST}?state__exact=pending").content.decode()

    assert page.index("Free them") < page.index("Newer") < page.index("Newest")


def translation_post(petition, rows):
    """The petition's change form as the admin sends it, with these translation rows."""
    prefix = "campaigns-translation-content_type-object_id"
    data = {
        "organization": petition.organization.pk,
        "slug": petition.slug,
        "title": petition.title,
        "summary": petition.summary,
        "body": petition.body,
        "language": "en",
        "goal": petition.goal,
        "verification": petition.verification,
        "shield_mode": petition.shield_mode,
        "targets": [target.pk for target in petition.targets.all()],
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        "responses-TOTAL_FORMS": "0",
        "responses-INITIAL_FORMS": "0",
    }
    for index, (language, field, text) in enumerate(rows):
        data |= {
            f"{prefix}-{index}-language": language,
            f"{prefix}-{index}-field": field,
            f"{prefix}-{index}-text": text,
        }
    return data


def test_it_adds_a_translation_in_the_admin(client, petition):
    otp_login(client, staff_member("root", is_superuser=True))

    response = client.post(
        f"{CHANGELIST}{petition.pk}/change/", translation_post(petition, [("ru", "title", "Освободите их")])
    )

    assert response.status_code == 302
    assert list(petition.translations.values_list("language", "field", "text")) == [("ru", "title", "Освободите их")]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("ru", "title", "Один"), ("ru", "title", "Два")], "Each text has one translation per language."),
        ([("xx", "title", "Text")], "Select a valid choice."),
        ([("ru", "slug", "svobodu")], "Select a valid choice."),
    ],
)
def test_it_refuses_a_duplicate_or_forged_translation_and_saves_nothing(client, petition, rows, message):
    otp_login(client, staff_member("root", is_superuser=True))

    response = client.post(f"{CHANGELIST}{petition.pk}/change/", translation_post(petition, rows))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not petition.translations.exists()
