"""The daily sweep erases a closed petition's signers exactly when their organisation's retention period is up."""

import datetime

import pytest
from django.utils import timezone

from standwith.campaigns.models import Organization, Petition
from standwith.signing import counting, crypto
from standwith.signing.emails import parse_address
from standwith.signing.models import ErasureRecord, Signature
from standwith.signing.retention import erase_expired
from standwith.signing.services import Signer, sign
from standwith.signing.tasks import erase_expired_personal_data

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 27, 3, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def signed(petition: Petition, *emails: str) -> Petition:
    for email in emails:
        sign(petition, Signer(name="Ada Lovelace", email=parse_address(email), country="GB", postcode="N1 9GU"))
    return petition


def closed(petition: Petition, ago: datetime.timedelta, state: str = Petition.State.CLOSED) -> Petition:
    Petition.objects.filter(pk=petition.pk).update(state=state, closed_at=NOW - ago)
    petition.refresh_from_db()
    return petition


def another(organization: Organization, slug: str) -> Petition:
    return Petition.objects.create(
        organization=organization, slug=slug, title=slug, summary="S.", body="B.", state=Petition.State.OPEN
    )


def readable(petition: Petition) -> int:
    return Signature.objects.filter(petition=petition, erased_at__isnull=True).count()


def test_it_keeps_signers_a_day_before_the_period_is_up(petition):
    closed(signed(petition, "a@example.org", "b@example.org"), 179 * DAY)

    assert erase_expired(NOW) == []
    assert readable(petition) == 2


def test_it_keeps_signers_a_second_before_the_period_is_up(petition):
    closed(signed(petition, "a@example.org"), 180 * DAY - datetime.timedelta(seconds=1))

    erase_expired(NOW)

    assert readable(petition) == 1


def test_it_erases_signers_the_moment_the_period_is_up(petition):
    closed(signed(petition, "a@example.org", "b@example.org"), 180 * DAY)

    done = erase_expired(NOW)

    assert [(erased.petition_id, erased.signatures) for erased in done] == [(petition.pk, 2)]
    assert readable(petition) == 0
    row = Signature.objects.filter(petition=petition).first()
    assert (row.email_encrypted, row.name_encrypted, row.postcode_encrypted) == (b"", b"", None)


def test_it_erases_signers_long_after_the_period(petition):
    closed(signed(petition, "a@example.org"), 3 * 365 * DAY)

    erase_expired(NOW)

    assert readable(petition) == 0


def test_it_follows_each_organisations_own_period(petition, organization):
    organization.retention_days = 30
    organization.save()
    strict = closed(signed(petition, "a@example.org"), 30 * DAY)
    lenient_org = Organization.objects.create(slug="lenient", name="Lenient", retention_days=365)
    lenient = closed(signed(another(lenient_org, "lenient-one"), "b@example.org"), 200 * DAY)

    erase_expired(NOW)

    assert (readable(strict), readable(lenient)) == (0, 1)


@pytest.mark.parametrize("state", [Petition.State.ARCHIVED, Petition.State.REJECTED])
def test_it_counts_archived_and_removed_petitions_as_closed(petition, state):
    closed(signed(petition, "a@example.org"), 181 * DAY, state=state)

    erase_expired(NOW)

    assert readable(petition) == 0


@pytest.mark.parametrize("state", [Petition.State.OPEN, Petition.State.DRAFT, Petition.State.PENDING])
def test_it_never_erases_a_petition_that_is_not_closed_whatever_its_closing_time_says(petition, state):
    closed(signed(petition, "a@example.org"), 400 * DAY, state=state)

    erase_expired(NOW)

    assert readable(petition) == 1


def test_it_falls_back_on_the_last_change_of_a_petition_closed_without_a_closing_time(petition):
    signed(petition, "a@example.org")
    Petition.objects.filter(pk=petition.pk).update(state=Petition.State.CLOSED, updated_at=NOW - 179 * DAY)

    erase_expired(NOW)
    assert readable(petition) == 1

    Petition.objects.filter(pk=petition.pk).update(updated_at=NOW - 180 * DAY)
    erase_expired(NOW)
    assert readable(petition) == 0


def test_it_records_what_it_erased_per_petition_once(petition, organization):
    closed(signed(petition, "a@example.org", "b@example.org"), 200 * DAY)
    other = closed(signed(another(organization, "second"), "c@example.org"), 190 * DAY)

    erase_expired(NOW)
    again = erase_expired(NOW)

    records = {
        (record.kind, record.petition_id, record.signatures, record.by) for record in ErasureRecord.objects.all()
    }
    assert records == {("retention", petition.pk, 2, None), ("retention", other.pk, 1, None)}
    assert again == []


def test_it_erases_signatures_entered_after_an_earlier_sweep(petition):
    closed(signed(petition, "a@example.org"), 200 * DAY)
    erase_expired(NOW)
    Petition.objects.filter(pk=petition.pk).update(state=Petition.State.OPEN)
    petition.refresh_from_db()
    signed(petition, "late@example.org")  # on paper, say, entered once the sweep had passed
    closed(petition, 200 * DAY)

    erase_expired(NOW)

    assert readable(petition) == 0
    assert sorted(ErasureRecord.objects.values_list("signatures", flat=True)) == [1, 1]


def test_it_keeps_the_count_and_the_figures(instant_petition):
    signed(instant_petition, "a@example.org", "b@example.org")
    before = list(Signature.objects.order_by("pk").values_list("state", "country"))
    closed(instant_petition, 181 * DAY)

    erase_expired(NOW)

    assert list(Signature.objects.order_by("pk").values_list("state", "country")) == before
    assert counting.stored_count(instant_petition.pk) == 2
    assert counting.reconcile(instant_petition.pk) is None


def test_it_leaves_the_key_so_the_petition_can_still_be_read_where_not_erased(petition, organization):
    closed(signed(petition, "a@example.org"), 181 * DAY)
    kept = signed(another(organization, "open-one"), "b@example.org")

    erase_expired(NOW)

    row = Signature.objects.get(petition=kept)
    assert crypto.decrypt(kept.pk, "email", row.email_encrypted) == "b@example.org"


def test_it_runs_as_a_task_on_the_real_clock(petition):
    Petition.objects.filter(pk=signed(petition, "a@example.org").pk).update(
        state=Petition.State.CLOSED, closed_at=timezone.now() - 181 * DAY
    )

    assert erase_expired_personal_data.call() == 1
    assert erase_expired_personal_data.call() == 0
