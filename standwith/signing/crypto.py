"""Encryption of signers' personal data at rest.

Each petition has its own random data key, stored only wrapped (AES-GCM)
by the master key from the environment. Fields are sealed with AES-GCM under
the petition's key, bound to the petition and the field name, so a ciphertext
copied into another row or column fails to open instead of reading as
someone else's data.
"""

import hashlib
import os
import threading
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import IntegrityError, transaction

from standwith.signing.models import PetitionKey

NONCE_BYTES = 12
# How long a process trusts an unwrapped key before it checks that the key still exists. An emergency erase
# deletes the key in the database; every other process lets go of its copy within this many seconds.
KEY_RECHECK_SECONDS = 10.0

# petition id -> (monotonic time to check again, id of the PetitionKey row, the key)
_keys: dict[int, tuple[float, int, AESGCM]] = {}
_keys_lock = threading.Lock()


class UndecryptableError(Exception):
    """The ciphertext is damaged, or belongs to another petition or field."""


def master_key_id(key: bytes | None = None) -> str:
    return hashlib.sha256(key or settings.MASTER_KEY).hexdigest()[:16]


def _seal(key: bytes | AESGCM, plaintext: bytes, context: bytes) -> bytes:
    aead = key if isinstance(key, AESGCM) else AESGCM(key)
    nonce = os.urandom(NONCE_BYTES)
    return nonce + aead.encrypt(nonce, plaintext, context)


def _open(key: bytes | AESGCM, sealed: bytes | memoryview, context: bytes) -> bytes:
    aead = key if isinstance(key, AESGCM) else AESGCM(key)
    try:
        return aead.decrypt(bytes(sealed[:NONCE_BYTES]), bytes(sealed[NONCE_BYTES:]), context)
    except (InvalidTag, ValueError) as error:
        raise UndecryptableError from error


def _key_context(petition_id: int) -> bytes:
    return f"standwith/petition-key/{petition_id}".encode()


def data_key(petition_id: int, *, create: bool = True) -> AESGCM:
    """The petition's data key, created on first use and kept in memory (checked again every few seconds)."""
    held = _keys.get(petition_id)
    if held is not None:
        check_at, record_id, key = held
        now = time.monotonic()
        if now < check_at:
            return key
        # One indexed lookup every few seconds per petition: still the same key, or erased (and perhaps replaced)?
        if PetitionKey.objects.filter(pk=record_id, petition_id=petition_id).exists():
            _keys[petition_id] = (now + KEY_RECHECK_SECONDS, record_id, key)
            return key
        _keys.pop(petition_id, None)
    with _keys_lock:
        record = PetitionKey.objects.filter(petition_id=petition_id).first()
        if record is None:
            if not create:
                raise UndecryptableError(f"petition {petition_id} has no data key (erased?)")
            record = _create_key(petition_id)
        if record.master_key_id != master_key_id():
            raise UndecryptableError(f"petition {petition_id}'s key is wrapped by another master key")
        raw = _open(settings.MASTER_KEY, record.wrapped_key, _key_context(petition_id))
        key = AESGCM(raw)
        _keys[petition_id] = (time.monotonic() + KEY_RECHECK_SECONDS, record.pk, key)
        return key


def _create_key(petition_id: int) -> PetitionKey:
    raw = AESGCM.generate_key(bit_length=256)
    wrapped = _seal(settings.MASTER_KEY, raw, _key_context(petition_id))
    try:
        with transaction.atomic():
            return PetitionKey.objects.create(
                petition_id=petition_id, master_key_id=master_key_id(), wrapped_key=wrapped
            )
    except IntegrityError:
        # Another process created it first; theirs is the one in use.
        return PetitionKey.objects.get(petition_id=petition_id)


def forget_keys(petition_id: int | None = None) -> None:
    """Drop unwrapped keys held in memory: one petition's (after its emergency erase), or all (in tests)."""
    if petition_id is None:
        _keys.clear()
    else:
        _keys.pop(petition_id, None)


def encrypt(petition_id: int, field: str, value: str) -> bytes:
    return _seal(data_key(petition_id), value.encode(), f"{petition_id}/{field}".encode())


def decrypt(petition_id: int, field: str, sealed: bytes | memoryview) -> str:
    return _open(data_key(petition_id, create=False), sealed, f"{petition_id}/{field}".encode()).decode()


def decrypt_or_blank(petition_id: int, field: str, sealed: bytes | memoryview | None) -> str:
    """The value, or "" when there is none to read: erased (empty), or its petition's key destroyed."""
    if not sealed:
        return ""
    try:
        return decrypt(petition_id, field, sealed)
    except UndecryptableError:
        return ""
