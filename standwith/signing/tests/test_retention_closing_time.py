"""When a petition stops taking signatures is kept on it, from each way it can close: the start of its retention."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.utils import timezone

from standwith.campaigns.models import Petition
from standwith.staff.services import close_due_petitions, move_petition, record

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("standwith.campaigns.migrations.0010_petition_closed_at").backfill


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("root", "root@example.org", "unused-password-1")


def test_it_notes_when_staff_close_a_petition(petition, admin_user):
    before = timezone.now()

    move_petition(petition, Petition.State.CLOSED, admin_user)

    petition.refresh_from_db()
    assert before <= petition.closed_at <= timezone.now()


def test_it_keeps_the_closing_time_when_a_closed_petition_is_archived(petition, admin_user):
    move_petition(petition, Petition.State.CLOSED, admin_user)
    closed_at = Petition.objects.get(pk=petition.pk).closed_at

    move_petition(petition, Petition.State.ARCHIVED, admin_user)

    assert Petition.objects.get(pk=petition.pk).closed_at == closed_at


def test_it_notes_when_a_public_petition_is_removed(petition, admin_user):
    move_petition(petition, Petition.State.REJECTED, admin_user, reason="Hateful")

    assert Petition.objects.get(pk=petition.pk).closed_at is not None


def test_it_notes_when_a_petition_closes_at_its_deadline(petition):
    Petition.objects.filter(pk=petition.pk).update(deadline=timezone.now() - datetime.timedelta(minutes=1))

    assert close_due_petitions() == 1

    assert Petition.objects.get(pk=petition.pk).closed_at is not None


def test_it_notes_nothing_for_a_petition_that_is_published(organization, admin_user):
    draft = Petition.objects.create(
        organization=organization, slug="d", title="D", summary="S.", body="B.", state=Petition.State.PENDING
    )

    move_petition(draft, Petition.State.OPEN, admin_user)

    assert Petition.objects.get(pk=draft.pk).closed_at is None


def test_it_backfills_petitions_closed_before_from_the_audit_log(petition, admin_user):
    Petition.objects.filter(pk=petition.pk).update(state=Petition.State.CLOSED)
    record(None, "petition.close", petition, origin="open", to="closed", reason="deadline")
    logged = timezone.now()

    backfill(apps, None)

    closed_at = Petition.objects.get(pk=petition.pk).closed_at
    assert abs(closed_at - logged) < datetime.timedelta(seconds=5)


def test_it_backfills_from_the_last_change_when_the_log_says_nothing(petition):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    Petition.objects.filter(pk=petition.pk).update(state=Petition.State.ARCHIVED, updated_at=long_ago)

    backfill(apps, None)

    assert Petition.objects.get(pk=petition.pk).closed_at == long_ago


def test_it_backfills_nothing_for_open_petitions_or_ones_never_public(petition, organization):
    never_public = Petition.objects.create(
        organization=organization, slug="n", title="N", summary="S.", body="B.", state=Petition.State.REJECTED
    )

    backfill(apps, None)

    assert Petition.objects.get(pk=petition.pk).closed_at is None
    assert Petition.objects.get(pk=never_public.pk).closed_at is None
