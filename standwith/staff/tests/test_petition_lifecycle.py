import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from standwith.campaigns.models import Organization, Petition
from standwith.staff import services
from standwith.staff.models import AuditRecord, Membership, Role

pytestmark = pytest.mark.django_db

S = Petition.State
# Who may make each move, written out here rather than read from the code under test.
# "own" is a campaigner of the petition's organisation, "other" one of another organisation.
ALLOWED = {
    (S.DRAFT, S.PENDING): {"own", "admin", "superuser"},
    (S.PENDING, S.DRAFT): {"moderator", "admin", "superuser"},
    (S.PENDING, S.OPEN): {"moderator", "admin", "superuser"},
    (S.PENDING, S.REJECTED): {"moderator", "admin", "superuser"},
    (S.OPEN, S.CLOSED): {"own", "moderator", "admin", "superuser"},
    (S.CLOSED, S.ARCHIVED): {"own", "moderator", "admin", "superuser"},
    (S.OPEN, S.REJECTED): {"moderator", "admin", "superuser"},
    (S.CLOSED, S.REJECTED): {"moderator", "admin", "superuser"},
    (S.ARCHIVED, S.REJECTED): {"moderator", "admin", "superuser"},
}
PEOPLE = ["nobody", "own", "other", "moderator", "data_officer", "admin", "superuser", "inactive_admin"]


@pytest.fixture
def people(organization):
    elsewhere = Organization.objects.create(slug="elsewhere", name="Elsewhere")
    made = {}
    for name in PEOPLE:
        # No password: hashing one per person would make these tests crawl, and none signs in.
        made[name] = User.objects.create_user(name, f"{name}@example.org", None, is_superuser=name == "superuser")
    grants = {
        "own": (organization, Role.CAMPAIGNER),
        "other": (elsewhere, Role.CAMPAIGNER),
        "moderator": (elsewhere, Role.MODERATOR),  # site-wide, wherever it was given
        "data_officer": (organization, Role.DATA_OFFICER),
        "admin": (elsewhere, Role.ADMIN),
        "inactive_admin": (organization, Role.ADMIN),
    }
    for name, (where, role) in grants.items():
        Membership.objects.create(user=made[name], organization=where, role=role)
    made["inactive_admin"].is_active = False
    made["inactive_admin"].save()
    return made


@pytest.mark.parametrize(("origin", "to"), list(ALLOWED))
@pytest.mark.parametrize("who", PEOPLE)
def test_it_lets_only_the_right_roles_move_a_petition(petition, people, origin, to, who):
    Petition.objects.filter(pk=petition.pk).update(state=origin)
    petition.refresh_from_db()

    if who in ALLOWED[(origin, to)]:
        services.move_petition(petition, to, people[who], reason="Duplicate of another petition")
        assert Petition.objects.get(pk=petition.pk).state == to
        (entry,) = AuditRecord.objects.all()
        assert entry.actor_name == who
        assert entry.details["origin"] == origin
        assert entry.details["to"] == to
    else:
        with pytest.raises(services.NotAllowed):
            services.move_petition(petition, to, people[who], reason="Duplicate of another petition")
        assert Petition.objects.get(pk=petition.pk).state == origin
        assert not AuditRecord.objects.exists()


@pytest.mark.parametrize(
    ("origin", "to"), [(S.DRAFT, S.OPEN), (S.OPEN, S.DRAFT), (S.REJECTED, S.OPEN), (S.OPEN, "nonsense")]
)
def test_it_refuses_moves_the_lifecycle_does_not_have_even_to_a_superuser(petition, people, origin, to):
    Petition.objects.filter(pk=petition.pk).update(state=origin)
    petition.refresh_from_db()

    with pytest.raises(services.NotAllowed):
        services.move_petition(petition, to, people["superuser"])

    assert Petition.objects.get(pk=petition.pk).state == origin


def test_it_asks_for_a_reason_to_reject_or_remove(petition, people):
    with pytest.raises(services.NotAllowed, match="reason"):
        services.move_petition(petition, S.REJECTED, people["moderator"], reason="   ")

    assert Petition.objects.get(pk=petition.pk).state == S.OPEN


def test_it_lets_only_one_of_two_moderators_acting_at_once_move_the_petition(petition, people):
    seen_by_first = Petition.objects.get(pk=petition.pk)
    seen_by_second = Petition.objects.get(pk=petition.pk)

    services.move_petition(seen_by_first, S.CLOSED, people["moderator"])
    with pytest.raises(services.NotAllowed, match="just now"):
        services.move_petition(seen_by_second, S.REJECTED, people["admin"], reason="Offensive")

    assert Petition.objects.get(pk=petition.pk).state == S.CLOSED
    assert AuditRecord.objects.count() == 1


def test_it_dates_the_first_publication_and_keeps_it(petition, people):
    Petition.objects.filter(pk=petition.pk).update(state=S.PENDING, published_at=None)
    petition.refresh_from_db()

    services.move_petition(petition, S.OPEN, people["moderator"])
    first = Petition.objects.get(pk=petition.pk).published_at
    services.move_petition(petition, S.CLOSED, people["own"])

    assert first is not None
    assert Petition.objects.get(pk=petition.pk).published_at == first


def test_it_records_the_network_not_the_address(petition, people):
    services.move_petition(petition, S.CLOSED, people["own"], client_ip="203.0.113.77")

    entry = AuditRecord.objects.get()
    assert entry.network == "203.0.113.0/24"
    assert "203.0.113.77" not in str(entry.details)


@pytest.mark.parametrize(
    "address",
    [
        "/en/p/{slug}/",
        "/ru/p/{slug}/thanks",
        "/en/p/{slug}/check-email",
        "/en/p/{slug}/share.png",
        "/p/{slug}/qr.svg",
        "/p/{slug}/qr.png",
        "/en/p/{slug}/confirm/1.1:forged/",
        "/api/v1/petitions/{slug}",
    ],
)
def test_it_answers_410_with_the_reason_for_a_removed_petition(client, petition, people, address):
    client.get(f"/de/p/{petition.slug}/check-email")  # the petition is in cache, as on a live site
    petition.published_at = timezone.now()
    petition.save()

    services.move_petition(petition, S.REJECTED, people["moderator"], reason="It repeats another petition.")

    response = client.get(address.format(slug=petition.slug))
    assert response.status_code == 410
    assert "It repeats another petition." in response.content.decode()


def test_it_takes_no_signature_for_a_removed_petition(client, petition, people, sign):
    Petition.objects.filter(pk=petition.pk).update(published_at=timezone.now())
    petition.refresh_from_db()
    services.move_petition(petition, S.REJECTED, people["moderator"], reason="Offensive")

    assert sign(petition).status_code == 410
    assert not petition.signatures.exists()


def test_it_answers_404_for_a_petition_rejected_before_it_was_ever_public(client, petition, people):
    Petition.objects.filter(pk=petition.pk).update(state=S.PENDING, published_at=None)
    petition.refresh_from_db()

    services.move_petition(petition, S.REJECTED, people["moderator"], reason="Not actionable")

    assert client.get(f"/en/p/{petition.slug}/").status_code == 404


def test_it_closes_nothing_while_signing_is_paused_so_resuming_can_extend_deadlines(petition, people):
    Petition.objects.filter(pk=petition.pk).update(deadline=timezone.now() - datetime.timedelta(seconds=1))
    services.pause_signing(people["admin"])

    assert services.close_due_petitions() == 0

    assert Petition.objects.get(pk=petition.pk).state == S.OPEN


def test_it_closes_petitions_at_their_deadline(client, petition, organization):
    later = Petition.objects.create(
        organization=organization,
        slug="later",
        title="Later",
        summary="S",
        body="B",
        state=S.OPEN,
        deadline=timezone.now() + datetime.timedelta(days=1),
    )
    client.get(f"/en/p/{petition.slug}/check-email")  # the petition is in cache, as on a live site
    Petition.objects.filter(pk=petition.pk).update(deadline=timezone.now() - datetime.timedelta(seconds=1))

    assert services.close_due_petitions() == 1
    assert services.close_due_petitions() == 0

    assert Petition.objects.get(pk=petition.pk).state == S.CLOSED
    assert Petition.objects.get(pk=later.pk).state == S.OPEN
    entry = AuditRecord.objects.get()
    assert (entry.actor, entry.actor_name, entry.details["reason"]) == (None, "standwith", "deadline")
    page = client.get(f"/en/p/{petition.slug}/").content.decode()
    assert "This petition is closed" in page  # readable, with its count, and no form
    assert 'name="email"' not in page


def test_it_lists_the_moves_a_person_may_make(petition, people):
    assert services.allowed_moves(people["own"], petition) == [S.CLOSED]
    assert sorted(services.allowed_moves(people["moderator"], petition)) == sorted([S.CLOSED, S.REJECTED])
    assert services.allowed_moves(people["data_officer"], petition) == []
    assert services.allowed_moves(people["inactive_admin"], petition) == []
