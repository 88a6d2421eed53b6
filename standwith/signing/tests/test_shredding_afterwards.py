"""What follows an emergency erase: other processes let go of the key, the petition goes on with a new one,
and a wipe cut short is finished by the daily sweep."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from standwith.conftest import sign_data
from standwith.signing import counting, crypto, shredding
from standwith.signing.models import ErasureRecord, PetitionKey, Signature
from standwith.signing.tasks import erase_expired_personal_data
from standwith.staff.services import NotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("root", "root@example.org", "unused-password-1")


def test_it_keeps_a_key_in_memory_without_asking_the_database_each_time(petition):
    sealed = crypto.encrypt(petition.pk, "email", "ada@example.org")

    with CaptureQueriesContext(connection) as queries:
        for _ in range(50):
            crypto.decrypt(petition.pk, "email", sealed)

    assert len(queries) == 0


def test_it_makes_another_process_let_go_of_an_erased_key_once_it_checks_again(petition):
    sealed = crypto.encrypt(petition.pk, "email", "ada@example.org")
    # Another process erases the key: this one still holds its copy, and keeps using it until it checks again.
    PetitionKey.objects.filter(petition=petition).delete()
    assert crypto.decrypt(petition.pk, "email", sealed) == "ada@example.org"

    held = crypto._keys[petition.pk]
    crypto._keys[petition.pk] = (0.0, held[1], held[2])  # its time to check again has come

    with pytest.raises(crypto.UndecryptableError):
        crypto.decrypt(petition.pk, "email", sealed)


def test_it_makes_another_process_encrypt_new_signatures_under_the_new_key(petition):
    crypto.encrypt(petition.pk, "email", "before@example.org")
    PetitionKey.objects.filter(petition=petition).delete()
    held = crypto._keys[petition.pk]
    crypto._keys[petition.pk] = (0.0, held[1], held[2])

    sealed = crypto.encrypt(petition.pk, "email", "after@example.org")
    crypto.forget_keys()

    assert crypto.decrypt(petition.pk, "email", sealed) == "after@example.org"


def test_it_lets_the_petition_take_new_signatures_under_a_new_key(client, petition, sign, admin_user):
    sign(petition, **sign_data(email="ada@example.org"))
    old_key = PetitionKey.objects.get(petition=petition).pk
    shredding.emergency_erase(petition, admin_user)

    response = sign(petition, **sign_data(name="Grace Hopper", email="grace@example.org"))

    assert response.status_code in (200, 302, 303)
    new = Signature.objects.filter(petition=petition, erased_at__isnull=True).get()
    assert PetitionKey.objects.get(petition=petition).pk != old_key
    assert crypto.decrypt(petition.pk, "name", new.name_encrypted) == "Grace Hopper"


def test_it_lets_an_erased_signer_sign_again(client, petition, sign, admin_user):
    sign(petition, **sign_data(email="ada@example.org"))
    shredding.emergency_erase(petition, admin_user)

    sign(petition, **sign_data(email="ada@example.org"))

    assert Signature.objects.filter(petition=petition).count() == 2


def test_it_keeps_the_public_count(petition, instant_petition, client, sign, admin_user):
    for number in range(3):
        sign(instant_petition, **sign_data(email=f"p{number}@example.org"))
    before = counting.stored_count(instant_petition.pk)

    shredding.emergency_erase(instant_petition, admin_user)

    assert before == 3
    assert counting.stored_count(instant_petition.pk) == 3
    assert counting.reconcile(instant_petition.pk) is None


def test_it_refuses_anyone_but_an_admin_in_the_service_too(petition, organization):
    campaigner = User.objects.create_user("c", "c@example.org", None, is_staff=True)

    with pytest.raises(NotAllowed):
        shredding.emergency_erase(petition, campaigner)
    assert not ErasureRecord.objects.exists()


def test_it_finishes_a_wipe_cut_short_in_the_daily_sweep(petition, sign, admin_user, monkeypatch):
    for number in range(3):
        sign(petition, **sign_data(email=f"p{number}@example.org"))
    # The erase is cut short right after the key goes (the process killed, say).
    monkeypatch.setattr(shredding, "scrub", lambda petition, at: 0)
    monkeypatch.setattr(shredding, "remove_mail_files", lambda petition: 0)
    shredding.emergency_erase(petition, admin_user)
    monkeypatch.undo()
    assert Signature.objects.filter(petition=petition, erased_at__isnull=True).count() == 3

    assert erase_expired_personal_data.call() == 3

    assert not Signature.objects.filter(petition=petition, erased_at__isnull=True).exists()
    assert erase_expired_personal_data.call() == 0


def test_it_leaves_signatures_made_well_after_the_erase_to_the_daily_sweep(petition, sign, admin_user):
    shredding.emergency_erase(petition, admin_user)
    sign(petition, **sign_data(email="later@example.org"))
    Signature.objects.update(created_at=timezone.now() + datetime.timedelta(minutes=5))

    assert erase_expired_personal_data.call() == 0
    assert Signature.objects.filter(petition=petition, erased_at__isnull=True).count() == 1


def test_it_sends_no_pending_mail_to_an_erased_signer(petition, sign, admin_user, run_tasks, tmp_path, settings):
    settings.EMAIL_FILE_PATH = tmp_path
    sign(petition, **sign_data(email="ada@example.org"))
    shredding.emergency_erase(petition, admin_user)

    run_tasks()  # the confirmation mail queued when Ada signed

    mail = DBTaskResult.objects.get(task_path__endswith="send_signature_mail")
    assert (mail.status, mail.return_value) == ("SUCCESSFUL", "nothing to send")
    assert list(tmp_path.glob("*.eml")) == []
