import pytest
from django.db import connection

from standwith.signing import crypto
from standwith.signing.models import PetitionKey

pytestmark = pytest.mark.django_db


def test_it_reads_back_what_it_sealed(petition):
    sealed = crypto.encrypt(petition.pk, "name", "Исмаил Исаев 🏳️‍🌈")

    assert crypto.decrypt(petition.pk, "name", sealed) == "Исмаил Исаев 🏳️‍🌈"


def test_it_seals_the_same_text_differently_each_time(petition):
    assert crypto.encrypt(petition.pk, "name", "Ada") != crypto.encrypt(petition.pk, "name", "Ada")


def test_it_refuses_a_value_moved_to_another_field(petition):
    sealed = crypto.encrypt(petition.pk, "email", "ada@example.org")

    with pytest.raises(crypto.UndecryptableError):
        crypto.decrypt(petition.pk, "name", sealed)


def test_it_refuses_a_value_moved_to_another_petition(petition, instant_petition):
    sealed = crypto.encrypt(petition.pk, "email", "ada@example.org")

    with pytest.raises(crypto.UndecryptableError):
        crypto.decrypt(instant_petition.pk, "email", sealed)


def test_it_refuses_a_tampered_value(petition):
    sealed = bytearray(crypto.encrypt(petition.pk, "email", "ada@example.org"))
    sealed[-1] ^= 1

    with pytest.raises(crypto.UndecryptableError):
        crypto.decrypt(petition.pk, "email", bytes(sealed))


def test_it_gives_each_petition_its_own_key_stored_only_wrapped(petition, instant_petition, settings):
    crypto.encrypt(petition.pk, "name", "Ada")
    crypto.encrypt(instant_petition.pk, "name", "Ada")

    keys = list(PetitionKey.objects.order_by("petition_id"))
    assert len(keys) == 2
    assert keys[0].wrapped_key != keys[1].wrapped_key
    with connection.cursor() as cursor:
        cursor.execute("SELECT petition_id, wrapped_key FROM signing_petitionkey")
        for petition_id, wrapped in cursor.fetchall():
            raw = crypto._open(settings.MASTER_KEY, bytes(wrapped), crypto._key_context(petition_id))
            assert len(raw) == 32
            assert raw not in bytes(wrapped)


def test_it_cannot_open_data_without_the_master_key_that_wrapped_it(petition, settings):
    sealed = crypto.encrypt(petition.pk, "email", "ada@example.org")
    crypto.forget_keys()
    settings.MASTER_KEY = b"another master key, 32 bytes!!!!"

    with pytest.raises(crypto.UndecryptableError):
        crypto.decrypt(petition.pk, "email", sealed)


def test_it_makes_data_unreadable_once_the_petition_key_is_erased(petition):
    sealed = crypto.encrypt(petition.pk, "email", "ada@example.org")
    PetitionKey.objects.filter(petition=petition).delete()
    crypto.forget_keys()

    with pytest.raises(crypto.UndecryptableError):
        crypto.decrypt(petition.pk, "email", sealed)
