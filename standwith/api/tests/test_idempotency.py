import importlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from standwith.api import services
from standwith.api.models import IdempotentRequest
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db

# A test that commits must be emptied afterwards, and the audit log's
# triggers refuse that: they are lifted for the emptying and then restored.
_triggers = importlib.import_module("standwith.staff.migrations.0002_audit_append_only")


@pytest.fixture(scope="module")
def _audit_triggers_restored(django_db_blocker: Any) -> Iterator[None]:
    yield
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        _triggers.add_triggers(apps, editor)


@pytest.fixture
def audit_log_emptied_after(_audit_triggers_restored: None) -> Iterator[None]:
    yield
    with connection.schema_editor() as editor:
        _triggers.drop_triggers(apps, editor)


URL = "/api/v1/organization/petitions/free-them/signatures"
ADA = {"name": "Ada Lovelace", "email": "ada@example.org", "country": "GB"}
GRACE = {"name": "Grace Hopper", "email": "grace@example.org", "country": "US"}


def mails_queued() -> int:
    return DBTaskResult.objects.filter(task_path="standwith.signing.tasks.send_signature_mail").count()


def test_it_answers_a_retry_with_the_first_answer_and_records_once(api_post, petition, secret):
    first = api_post(URL, ADA, secret, **{"Idempotency-Key": "order-1"})
    retry = api_post(URL, ADA, secret, **{"Idempotency-Key": "order-1"})

    assert (first.status_code, retry.status_code) == (202, 202)
    assert retry.json() == first.json()
    assert Signature.objects.count() == 1
    assert mails_queued() == 1  # a repeat without the key would have mailed the signer again
    assert IdempotentRequest.objects.get().status == 202


def test_it_replays_a_batch_without_recording_any_of_it_again(api_post, petition, secret):
    batch = {"signatures": [ADA, GRACE]}
    first = api_post(URL, batch, secret, **{"Idempotency-Key": "batch-7"})

    retry = api_post(URL, batch, secret, **{"Idempotency-Key": "batch-7"})

    assert retry.json() == first.json()
    assert Signature.objects.count() == 2
    assert mails_queued() == 2


def test_it_does_the_work_again_for_a_new_key(api_post, petition, secret):
    api_post(URL, ADA, secret, **{"Idempotency-Key": "a"})
    api_post(URL, ADA, secret, **{"Idempotency-Key": "b"})

    assert Signature.objects.count() == 1
    assert mails_queued() == 2  # a repeat signer, mailed again as on the site


def test_it_refuses_the_same_key_with_a_different_body(api_post, petition, secret):
    api_post(URL, ADA, secret, **{"Idempotency-Key": "order-1"})

    response = api_post(URL, GRACE, secret, **{"Idempotency-Key": "order-1"})

    assert response.status_code == 422
    assert response.json()["error"] == "idempotency_key_reused"
    assert Signature.objects.count() == 1


def test_it_refuses_the_same_key_for_another_petition(api_post, petition, organization, secret):
    petition_two = type(petition).objects.create(
        organization=organization, slug="second", title="Second", summary="S", body="B", state="open"
    )
    api_post(URL, ADA, secret, **{"Idempotency-Key": "k"})

    response = api_post(
        f"/api/v1/organization/petitions/{petition_two.slug}/signatures", ADA, secret, **{"Idempotency-Key": "k"}
    )

    assert response.status_code == 422
    assert response.json()["error"] == "idempotency_key_reused"
    assert Signature.objects.filter(petition=petition_two).count() == 0


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "tab\there", "bell\x07", "del\x7f"])
def test_it_refuses_a_key_that_is_empty_too_long_or_not_printable(api_post, petition, secret, key):
    response = api_post(URL, ADA, secret, **{"Idempotency-Key": key})

    assert response.status_code == 400
    assert response.json()["error"] == "bad_idempotency_key"
    assert Signature.objects.count() == 0
    assert IdempotentRequest.objects.count() == 0


@pytest.mark.parametrize("key", ["x" * 255, "7d9c4b1e-2f0a-4c55-9a0e-3f1f1c2b9d10", "order #12/3"])
def test_it_takes_a_key_of_up_to_255_printable_characters(api_post, petition, secret, key):
    assert api_post(URL, ADA, secret, **{"Idempotency-Key": key}).status_code == 202

    assert IdempotentRequest.objects.get().key == key


def test_it_forgets_the_key_of_a_request_that_failed_so_a_retry_runs(api_post, petition, secret):
    petition.state = "closed"
    petition.save()
    assert api_post(URL, ADA, secret, **{"Idempotency-Key": "k"}).status_code == 409
    assert IdempotentRequest.objects.count() == 0

    petition.state = "open"
    petition.save()
    response = api_post(URL, ADA, secret, **{"Idempotency-Key": "k"})

    assert response.status_code == 202
    assert Signature.objects.count() == 1


def test_it_forgets_the_key_of_a_request_that_was_invalid(api_post, petition, secret):
    assert api_post(URL, {**ADA, "email": "ada@"}, secret, **{"Idempotency-Key": "k"}).status_code == 422

    assert api_post(URL, ADA, secret, **{"Idempotency-Key": "k"}).status_code == 202


def test_it_forgets_the_key_of_a_vouching_refused(api_post, petition, secret):
    response = api_post(URL, {**ADA, "verified_offline": True}, secret, **{"Idempotency-Key": "k"})

    assert response.status_code == 403
    assert IdempotentRequest.objects.count() == 0


def test_it_keeps_keys_apart_for_each_token(api_post, petition, make_token):
    _, first = make_token()
    _, second = make_token()

    one = api_post(URL, ADA, first, **{"Idempotency-Key": "same"})
    two = api_post(URL, GRACE, second, **{"Idempotency-Key": "same"})

    assert (one.status_code, two.status_code) == (202, 202)
    assert Signature.objects.count() == 2


def test_it_works_without_a_key(api_post, petition, secret):
    assert api_post(URL, ADA, secret).status_code == 202

    assert IdempotentRequest.objects.count() == 0


class TestPurge:
    def keep_request_made(self, ago: timedelta, token) -> IdempotentRequest:
        record = IdempotentRequest.objects.create(token=token, key=str(ago), fingerprint=b"f", status=202, response={})
        IdempotentRequest.objects.filter(pk=record.pk).update(created_at=timezone.now() - ago)
        return record

    def test_it_forgets_keys_older_than_the_retention(self, make_token, settings):
        settings.IDEMPOTENCY_KEY_HOURS = 24
        token, _ = make_token()
        old = self.keep_request_made(timedelta(hours=24, minutes=1), token)
        recent = self.keep_request_made(timedelta(hours=23, minutes=59), token)

        assert services.purge_idempotent_requests() == 1

        assert list(IdempotentRequest.objects.values_list("pk", flat=True)) == [recent.pk]
        assert not IdempotentRequest.objects.filter(pk=old.pk).exists()

    def test_it_follows_the_configured_retention(self, make_token, settings):
        settings.IDEMPOTENCY_KEY_HOURS = 1
        token, _ = make_token()
        self.keep_request_made(timedelta(minutes=61), token)

        assert services.purge_idempotent_requests() == 1

    def test_it_runs_a_retry_afresh_once_its_key_is_forgotten(self, api_post, petition, secret, settings):
        api_post(URL, ADA, secret, **{"Idempotency-Key": "k"})
        IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
        services.purge_idempotent_requests()

        response = api_post(URL, GRACE, secret, **{"Idempotency-Key": "k"})

        assert response.status_code == 202
        assert Signature.objects.count() == 2


# Two copies racing: standwith/e2e/test_api_idempotency_race.py, against the real server on either database.
