import datetime

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.utils import timezone

from standwith.campaigns.admin import ResponseSubmissionAdmin
from standwith.campaigns.models import Milestone, ResponseSubmission, Target, TargetResponse
from standwith.campaigns.services import record_submission
from standwith.campaigns.target_mails import RESPOND_LINK_DAYS, make_respond_token
from standwith.campaigns.tasks import record_milestones
from standwith.signing import counting
from standwith.staff.models import AuditRecord, Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def targets(petition):
    minister = Target.objects.create(name="Jane Roe", role="Foreign Minister", email="office@ministry.example")
    silent = Target.objects.create(name="John Doe", role="President")  # no address: never mailed
    petition.targets.set([minister, silent])
    petition.mail_targets = True
    petition.save()
    return minister, silent


@pytest.fixture
def campaigner(petition):
    user = User.objects.create_user("cam", "cam@example.org", None)
    Membership.objects.create(user=user, organization=petition.organization, role=Role.CAMPAIGNER)
    return user


def recipients(sink):
    return sorted(address for _sender, addresses, _message in sink.messages for address in addresses)


def respond_link(message):
    text = message.get_body(("plain",)).get_content()
    return next(line.strip() for line in text.splitlines() if "/respond/" in line).removeprefix("http://127.0.0.1:8000")


def test_it_sends_the_petition_to_each_target_with_an_address_at_a_milestone(
    petition, targets, campaigner, smtp_sink, run_tasks
):
    counting.add(petition.pk, 10_250)
    record_milestones.enqueue()
    run_tasks()

    assert recipients(smtp_sink) == ["cam@example.org", "office@ministry.example"]
    mail = next(m for _s, to, m in smtp_sink.messages if to == ["office@ministry.example"])
    assert mail["Subject"].strip() == "10,250 people have signed “Free them”"
    text = mail.get_body(("plain",)).get_content()
    assert "Dear Jane Roe," in text
    assert "started by All Out and addressed to you" in text
    assert petition.body.splitlines()[0] in text
    assert "http://127.0.0.1:8000/p/free-them/" in text
    assert "/respond/" in text


def test_it_mails_no_target_when_the_petition_does_not_say_so(petition, targets, smtp_sink, run_tasks):
    petition.mail_targets = False
    petition.save()
    counting.add(petition.pk, 10_000)
    record_milestones.enqueue()
    run_tasks()

    assert "office@ministry.example" not in recipients(smtp_sink)


def test_it_writes_to_the_target_in_the_petitions_language(petition, targets, smtp_sink, run_tasks):
    petition.language, petition.title = "ru", "Освободите их"
    petition.save()
    counting.add(petition.pk, 10_000)
    record_milestones.enqueue()
    run_tasks()

    mail = next(m for _s, to, m in smtp_sink.messages if to == ["office@ministry.example"])
    assert "Освободите их" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    assert "Dear" not in text  # the letter's own words are in Russian too
    assert "Jane Roe" in text


def test_a_retried_milestone_mail_reaches_each_target_once(petition, targets, smtp_sink, run_tasks):
    from standwith.campaigns.tasks import send_target_mail

    counting.add(petition.pk, 10_000)
    record_milestones.enqueue()
    run_tasks()
    send_target_mail.enqueue(Milestone.objects.get().pk)
    run_tasks()

    assert recipients(smtp_sink).count("office@ministry.example") == 1


def test_a_target_answers_through_the_link_and_staff_are_told(
    client, petition, targets, campaigner, smtp_sink, run_tasks
):
    counting.add(petition.pk, 10_000)
    record_milestones.enqueue()
    run_tasks()
    mail = next(m for _s, to, m in smtp_sink.messages if to == ["office@ministry.example"])
    link = respond_link(mail)

    page = client.get(link)
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert "Write your answer to the signers here" in page.content.decode()

    sent = client.post(link, {"sender": "Press office", "text": "We have raised the case with our counterparts."})
    assert sent.status_code == 200
    assert "your answer has reached the organisers" in sent.content.decode()
    submission = ResponseSubmission.objects.get()
    assert (submission.petition, submission.target, submission.sender) == (petition, targets[0], "Press office")
    assert not TargetResponse.objects.exists()  # nothing public until staff record it

    smtp_sink.messages.clear()
    run_tasks()
    assert recipients(smtp_sink) == ["cam@example.org"]
    told = smtp_sink.messages[0][2].get_content()
    assert "Jane Roe answered the petition “Free them”" in told
    assert "We have raised the case" in told


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "This field is required."), ("x" * 4001, "at most 4000 characters"), ("   ", "This field is required.")],
)
def test_an_empty_or_oversized_answer_is_refused_and_nothing_is_kept(client, petition, targets, text, expected):
    response = client.post(f"/en/respond/{make_respond_token(petition.pk, targets[0].pk)}/", {"text": text})

    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not ResponseSubmission.objects.exists()


def test_a_forged_or_foreign_link_is_refused(client, petition, targets):
    other = Target.objects.create(name="Not addressed", role="Mayor")
    forged = make_respond_token(petition.pk, targets[0].pk)[:-2] + "xx"

    for token in [
        forged,
        "garbage",
        make_respond_token(petition.pk, other.pk),
        make_respond_token(99999, targets[0].pk),
    ]:
        response = client.post(f"/en/respond/{token}/", {"text": "Hello"})
        assert response.status_code == 404, token
        assert "This link is not valid" in response.content.decode()
    assert not ResponseSubmission.objects.exists()


def test_an_old_link_has_expired(client, petition, targets):
    made = timezone.now() - datetime.timedelta(days=RESPOND_LINK_DAYS + 1)
    token = signing.TimestampSigner(salt="standwith.campaigns.respond")
    token.timestamp = lambda: signing.b62_encode(int(made.timestamp()))
    expired = token.sign(f"{petition.pk}.{targets[0].pk}")

    response = client.get(f"/en/respond/{expired}/")

    assert response.status_code == 410
    assert not ResponseSubmission.objects.exists()


def test_staff_record_an_answer_as_the_targets_response_once(rf, petition, targets, campaigner):
    submission = ResponseSubmission.objects.create(
        petition=petition, target=targets[0], sender="Press office", text="We raised the case."
    )

    response = record_submission(submission, campaigner)
    again = record_submission(ResponseSubmission.objects.get(), campaigner)

    assert again == response
    assert (response.target, response.text, response.source_name) == (targets[0], "We raised the case.", "Press office")
    assert response.date == timezone.localdate(submission.submitted_at)
    assert TargetResponse.objects.count() == 1
    assert AuditRecord.objects.filter(action="petition.response_recorded").count() == 1
    assert ResponseSubmissionAdmin.has_add_permission(None, rf.get("/")) is False


def test_a_stale_copy_of_an_answer_recorded_meanwhile_makes_no_second_response(petition, targets, campaigner):
    submission = ResponseSubmission.objects.create(petition=petition, target=targets[0], text="We raised the case.")
    stale = ResponseSubmission.objects.get(pk=submission.pk)  # a page loaded before another campaigner recorded it

    first = record_submission(submission, campaigner)
    second = record_submission(stale, campaigner)

    assert second == first
    assert TargetResponse.objects.count() == 1
    assert AuditRecord.objects.filter(action="petition.response_recorded").count() == 1


def test_an_answer_far_longer_than_the_form_takes_is_refused_and_nothing_is_kept(client, petition, targets, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    token = make_respond_token(petition.pk, targets[0].pk)

    response = client.post(f"/en/respond/{token}/", {"text": "x" * 20_000})

    assert response.status_code == 413
    assert "far longer than this form takes" in response.content.decode()
    assert not ResponseSubmission.objects.exists()
