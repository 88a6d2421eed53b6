import datetime

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from standwith.campaigns import services
from standwith.campaigns.models import Milestone, Petition
from standwith.campaigns.tasks import record_milestones, send_milestone_mail
from standwith.signing import counting
from standwith.staff.models import Membership, Role
from standwith.tests.test_settings import run_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(petition):
    """Who runs the petition (a campaigner, an admin who is also a campaigner), and who does not."""

    def member(name, *roles, organization=petition.organization, **extra):
        user = User.objects.create_user(name, f"{name}@example.org", None, **extra)
        for role in roles:
            Membership.objects.create(user=user, organization=organization, role=role)
        return user

    other = type(petition.organization).objects.create(slug="other", name="Other")
    member("mo", Role.MODERATOR)
    member("dora", Role.DATA_OFFICER)
    member("gone", Role.CAMPAIGNER, is_active=False)
    member("elsewhere", Role.CAMPAIGNER, organization=other)
    return [member("cam", Role.CAMPAIGNER), member("ada", Role.ADMIN, Role.CAMPAIGNER)]


def subject(message):
    # Python's parser keeps the space before a subject that starts in an encoded word.
    return message["Subject"].strip()


def recipients(sink):
    return sorted(address for _sender, addresses, _message in sink.messages for address in addresses)


def run_job(run_tasks):
    record_milestones.enqueue()
    return run_tasks()


def test_it_tells_each_campaigner_and_admin_once_when_a_petition_passes_a_threshold(
    petition, staff, smtp_sink, run_tasks
):
    counting.add(petition.pk, 10_250)

    run_job(run_tasks)

    milestone = Milestone.objects.get()
    assert (milestone.petition, milestone.threshold) == (petition, 10_000)
    assert timezone.now() - milestone.reached_at < datetime.timedelta(minutes=1)
    assert recipients(smtp_sink) == ["ada@example.org", "cam@example.org"]
    message = smtp_sink.messages[0][2]
    assert subject(message) == "“Free them” has passed 10,000 signatures"
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_content()
    assert f"“Free them” passed 10,000 signatures on {date_format(milestone.reached_at, 'DATE_FORMAT')}." in body
    assert "http://127.0.0.1:8000/p/free-them/" in body
    assert f"http://127.0.0.1:8000/admin/campaigns/petition/{petition.pk}/change/" in body
    assert "campaigner or admin of All Out" in body


def test_it_sends_nothing_more_when_the_job_runs_again(petition, staff, smtp_sink, run_tasks):
    counting.add(petition.pk, 10_000)
    run_job(run_tasks)

    run_job(run_tasks)
    counting.add(petition.pk, 500)
    run_job(run_tasks)

    assert Milestone.objects.count() == 1
    assert len(smtp_sink.messages) == 2


def test_it_never_mails_the_same_milestone_twice_when_its_task_is_retried(petition, staff, smtp_sink, run_tasks):
    counting.add(petition.pk, 10_000)
    (milestone,) = services.record_milestones()

    send_milestone_mail.call(milestone.pk)
    send_milestone_mail.call(milestone.pk)
    run_tasks()

    assert recipients(smtp_sink) == ["ada@example.org", "cam@example.org"]


def test_it_leaves_it_to_the_database_that_a_milestone_is_recorded_once(petition):
    # What keeps two workers that see the same crossing at once from both mailing staff.
    Milestone.objects.create(petition=petition, threshold=10_000, reached_at=timezone.now())

    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.create(petition=petition, threshold=10_000, reached_at=timezone.now())


def test_it_records_two_thresholds_passed_at_once(petition, staff, smtp_sink, run_tasks):
    counting.add(petition.pk, 100_001)

    run_job(run_tasks)

    assert sorted(Milestone.objects.values_list("threshold", flat=True)) == [10_000, 100_000]
    subjects = sorted(subject(message) for _sender, _to, message in smtp_sink.messages)
    assert subjects == [
        "“Free them” has passed 10,000 signatures",
        "“Free them” has passed 10,000 signatures",
        "“Free them” has passed 100,000 signatures",
        "“Free them” has passed 100,000 signatures",
    ]


def test_it_records_a_threshold_only_once_the_count_reaches_it(petition, staff, smtp_sink, run_tasks):
    counting.add(petition.pk, 9_999)
    run_job(run_tasks)
    assert not Milestone.objects.exists()
    assert smtp_sink.messages == []

    counting.add(petition.pk, 1)
    run_job(run_tasks)

    assert Milestone.objects.get().threshold == 10_000


def test_it_records_nothing_for_a_closed_petition(petition, staff, smtp_sink, run_tasks):
    counting.add(petition.pk, 20_000)
    Petition.objects.filter(pk=petition.pk).update(state=Petition.State.CLOSED)

    run_job(run_tasks)

    assert not Milestone.objects.exists()
    assert smtp_sink.messages == []


def test_it_uses_the_configured_thresholds(petition, staff, smtp_sink, run_tasks, settings):
    settings.MILESTONES = [1, 50]
    counting.add(petition.pk, 7)

    run_job(run_tasks)

    assert list(Milestone.objects.values_list("threshold", flat=True)) == [1]
    assert subject(smtp_sink.messages[0][2]) == "“Free them” has passed 1 signature"


def test_it_records_nothing_when_milestones_are_turned_off(petition, staff, smtp_sink, run_tasks, settings):
    settings.MILESTONES = []
    counting.add(petition.pk, 200_000)

    run_job(run_tasks)

    assert not Milestone.objects.exists()


def test_it_still_tells_the_others_when_the_mail_server_refuses_one_address(petition, staff, smtp_sink, run_tasks):
    smtp_sink.refused.add("cam@example.org")
    counting.add(petition.pk, 10_000)

    run_job(run_tasks)

    assert recipients(smtp_sink) == ["ada@example.org"]


@pytest.mark.parametrize("value", ["10k,100000", "10000;100000", "0", "-10000"])
def test_it_refuses_to_start_with_malformed_milestones(value):
    result = run_check(STANDWITH_MILESTONES=value)

    assert result.returncode != 0
    assert "STANDWITH_MILESTONES" in result.stderr


def test_it_starts_with_milestones_of_its_own_choice():
    assert run_check(STANDWITH_MILESTONES=" 500, 5000 ,").returncode == 0


def passed(petition, threshold, day):
    return Milestone.objects.create(
        petition=petition,
        threshold=threshold,
        reached_at=datetime.datetime.combine(day, datetime.time(12), datetime.UTC),
    )


def test_it_shows_the_milestones_passed_on_the_page(client, petition):
    counting.add(petition.pk, 123_456)
    passed(petition, 10_000, datetime.date(2021, 3, 3))
    passed(petition, 100_000, datetime.date(2021, 3, 9))

    page = client.get(f"/en/p/{petition.slug}/").content.decode()

    newest = page.index('Passed 100,000 signatures on <time datetime="2021-03-09">9 March 2021</time>')
    assert newest < page.index('Passed 10,000 signatures on <time datetime="2021-03-03">3 March 2021</time>')


def test_it_writes_the_milestone_date_the_russian_way(client, petition):
    counting.add(petition.pk, 10_000)
    passed(petition, 10_000, datetime.date(2021, 3, 3))

    page = client.get(f"/ru/p/{petition.slug}/").content.decode()

    assert '<time datetime="2021-03-03">3 марта 2021 г.</time>' in page
    assert "10\xa0000" in page


def test_it_shows_a_milestone_as_soon_as_the_job_records_it(client, petition, run_tasks):
    services.campaign(petition, "en")  # the campaign is now in cache
    counting.add(petition.pk, 10_000)

    run_job(run_tasks)

    assert "Passed 10,000 signatures on" in client.get(f"/en/p/{petition.slug}/").content.decode()


def test_it_no_longer_claims_a_milestone_once_the_count_falls_below_it(client, petition):
    passed(petition, 10_000, datetime.date(2021, 3, 3))
    counting.add(petition.pk, 9_400)  # fraud struck off after the milestone

    page = client.get(f"/en/p/{petition.slug}/").content.decode()

    assert "Passed 10,000" not in page
