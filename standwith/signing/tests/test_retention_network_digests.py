"""Network and domain digests go IP_DIGEST_RETENTION_DAYS after signing, in a sweep run every hour that records
what it cleared; and every retention sweep is on the schedule."""

import datetime

import pytest
from django.utils import timezone

from standwith import scheduler
from standwith.signing.models import ErasureRecord, Signature
from standwith.signing.retention import purge_network_digests

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 27, 3, 0, tzinfo=datetime.UTC)


@pytest.fixture
def signatures(sign, petition):
    for email in ("a@example.org", "b@example.org", "c@example.org"):
        sign(petition, email=email)
    rows = list(Signature.objects.order_by("pk"))
    assert all(row.network_digest and row.domain_digest for row in rows)
    return rows


def aged(signature: Signature, age: datetime.timedelta) -> None:
    Signature.objects.filter(pk=signature.pk).update(created_at=NOW - age)


def test_it_clears_digests_past_the_period_and_keeps_the_rest(signatures, settings):
    days = datetime.timedelta(days=settings.IP_DIGEST_RETENTION_DAYS)
    aged(signatures[0], days + datetime.timedelta(seconds=1))
    aged(signatures[1], days - datetime.timedelta(seconds=1))
    aged(signatures[2], days - datetime.timedelta(days=1))

    assert purge_network_digests(NOW) == 1

    kept = [row.network_digest is not None for row in Signature.objects.order_by("pk")]
    assert kept == [False, True, True]
    assert Signature.objects.get(pk=signatures[0].pk).domain_digest is None


def test_it_records_what_it_cleared_and_nothing_when_nothing_was(signatures, settings):
    for row in signatures[:2]:
        aged(row, datetime.timedelta(days=settings.IP_DIGEST_RETENTION_DAYS + 3))

    purge_network_digests(NOW)
    purge_network_digests(NOW)

    record = ErasureRecord.objects.get()
    assert (record.kind, record.petition, record.signatures, record.by) == ("network_digests", None, 2, None)


def test_it_keeps_everything_else_of_the_signature(signatures, settings):
    aged(signatures[0], datetime.timedelta(days=settings.IP_DIGEST_RETENTION_DAYS + 1))

    purge_network_digests(NOW)

    row = Signature.objects.get(pk=signatures[0].pk)
    assert row.erased_at is None
    assert row.email_encrypted
    assert row.name_encrypted


def test_it_follows_a_shorter_period_set_for_the_site(signatures, settings):
    settings.IP_DIGEST_RETENTION_DAYS = 7
    aged(signatures[0], datetime.timedelta(days=8))

    assert purge_network_digests(NOW) == 1


def test_it_schedules_the_digest_sweep_hourly_and_the_retention_sweep_daily():
    assert scheduler.JOBS["purge_network_digests"] == (
        "standwith.signing.tasks.purge_network_digests",
        datetime.timedelta(hours=1),
    )
    assert scheduler.JOBS["erase_expired_personal_data"] == (
        "standwith.signing.tasks.erase_expired_personal_data",
        datetime.timedelta(days=1),
    )


def test_it_runs_the_retention_sweep_once_a_day_from_the_scheduler(petition, run_tasks):
    Petition = type(petition)
    Petition.objects.filter(pk=petition.pk).update(
        state=Petition.State.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=365)
    )
    Signature.objects.create(
        petition=petition,
        email_digest=b"d" * 32,
        email_encrypted=b"x",
        name_encrypted=b"y",
        country="GB",
        created_at=timezone.now() - datetime.timedelta(days=400),
    )
    now = timezone.now()

    first = scheduler.tick(now)
    run_tasks()
    later_that_day = scheduler.tick(now + datetime.timedelta(hours=23))
    next_day = scheduler.tick(now + datetime.timedelta(days=1, seconds=1))

    assert "erase_expired_personal_data" in first
    assert "erase_expired_personal_data" not in later_that_day
    assert "erase_expired_personal_data" in next_day
    assert Signature.objects.get().erased_at is not None
