"""Staff's controls over a mailing: start, pause, resume, cancel, progress; each audited."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from standwith.outreach import mailings, sending
from standwith.outreach.models import Mailing
from standwith.outreach.tests.helpers import recipients_of, send_all
from standwith.staff.models import AuditRecord
from standwith.staff.services import NotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_batches(settings):
    settings.MAILING_RATE = 10_000
    settings.MAILING_BATCH_SIZE = 2
    settings.MAILING_LANES = 1


@pytest.fixture
def five(petition, signer):
    return [signer(petition, f"signer{index}@example.org") for index in range(5)]


def actions(mailing: Mailing) -> list[str]:
    return list(
        AuditRecord.objects.filter(object_type="outreach.mailing", object_id=str(mailing.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_it_records_who_created_started_and_finished_sending(mailing, mailer, five, smtp_sink, run_tasks):
    send_all(mailing, mailer, run_tasks)

    assert actions(mailing) == ["mailing.create", "mailing.start"]
    assert AuditRecord.objects.filter(action="mailing.start").get().actor == mailer


def test_it_pauses_between_messages_and_resumes_where_it_stopped(mailing, mailer, five, smtp_sink, run_tasks):
    mailings.start(mailing, mailer)
    mailings.prepare(mailing)
    mailing.refresh_from_db()
    lane = sending.Lane.of(mailing)
    lane.checked_at = 0  # as if it last looked at the mailing's state long ago
    batch = sending.claim(mailing.pk, lane.worker)
    assert batch is not None
    mailings.pause(mailing, mailer)

    # A worker in the middle of a batch sees the pause before its next message and lets the batch go.
    assert sending.send_batch(lane, batch, sending.Throttle(mailing.pk, 10_000)) is False
    while run_tasks():
        pass
    assert smtp_sink.messages == []
    assert mailings.progress(mailing).state == "paused"

    mailings.resume(mailing, mailer)
    while run_tasks():
        pass

    assert len(recipients_of(smtp_sink)) == 5 == len(set(recipients_of(smtp_sink)))
    assert actions(mailing) == ["mailing.create", "mailing.start", "mailing.pause", "mailing.resume"]
    assert mailings.progress(mailing).state == "finished"


def test_it_sends_nothing_more_once_cancelled(mailing, mailer, five, smtp_sink, run_tasks):
    mailings.start(mailing, mailer)
    mailings.prepare(mailing)
    mailings.cancel(mailing, mailer)
    while run_tasks():
        pass

    assert smtp_sink.messages == []
    progress = mailings.progress(mailing)
    assert (progress.state, progress.sent, progress.remaining) == ("cancelled", 0, 0)
    with pytest.raises(mailings.WrongState):
        mailings.resume(mailing, mailer)


def test_it_reports_progress_from_the_counters(mailing, mailer, five, smtp_sink, run_tasks):
    mailings.start(mailing, mailer)
    before = mailings.progress(mailing)
    assert (before.state, before.recipients, before.remaining, before.per_second, before.eta) == (
        "preparing",
        0,
        0,
        None,
        None,
    )
    mailings.prepare(mailing)
    mailing.refresh_from_db()
    Mailing.objects.filter(pk=mailing.pk).update(sent=2, active_seconds=10, resumed_at=None)

    progress = mailings.progress(mailing)

    assert (progress.recipients, progress.sent, progress.remaining) == (5, 2, 3)
    assert progress.per_second == 0.2
    assert progress.eta == timedelta(seconds=15)


def test_it_refuses_to_start_a_mailing_twice(mailing, mailer, five):
    mailings.start(mailing, mailer)

    with pytest.raises(mailings.WrongState):
        mailings.start(mailing, mailer)
    with pytest.raises(mailings.WrongState):
        mailings.resume(mailing, mailer)


def test_it_lets_only_the_organisations_campaigners_and_admins_send(mailing, five):
    stranger = User.objects.create_user("moderator-elsewhere", email="m@example.org", is_staff=True)

    with pytest.raises(NotAllowed):
        mailings.start(mailing, stranger)
    with pytest.raises(NotAllowed):
        mailings.send_test(mailing, stranger)

    assert Mailing.objects.get(pk=mailing.pk).state == "draft"


def test_it_sends_a_test_to_the_staff_member_only(mailing, mailer, five, smtp_sink):
    assert mailings.send_test(mailing, mailer, "ru") == "campaigner@all-out.example"

    [(_sender, to, message)] = smtp_sink.messages
    assert to == ["campaigner@all-out.example"]
    assert message["Subject"] == "Их перевели в Грозный"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Mailing.objects.get(pk=mailing.pk).state == "draft"
    assert actions(mailing)[-1] == "mailing.test"


def test_it_previews_each_language_and_falls_back_to_the_updates_own(mailing):
    assert mailings.preview(mailing, "ru").subject == "Их перевели в Грозный"
    english = mailings.preview(mailing, "fr")
    assert (english.language, english.subject) == ("en", "They were moved to Grozny")
    assert "<strong>transferred</strong>" in english.html
