"""One mail connection per worker thread, kept open from one message to the next.

Opening an SMTP session (connect, EHLO, STARTTLS, AUTH) costs several round
trips; a worker working through a queue of confirmations reuses one. A
session the server has since closed is replaced once, at once.
"""

import contextlib
import smtplib
import threading
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.signals import setting_changed
from django.dispatch import receiver

_held = threading.local()


def _connection() -> BaseEmailBackend:
    connection: BaseEmailBackend | None = getattr(_held, "connection", None)
    if connection is None:
        connection = get_connection()
        connection.open()
        _held.connection = connection
    return connection


def drop() -> None:
    connection: BaseEmailBackend | None = getattr(_held, "connection", None)
    _held.connection = None
    if connection is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):  # thrown away because it is broken
            connection.close()


def send(message: EmailMessage) -> None:
    for attempt in (1, 2):
        message.connection = _connection()
        try:
            message.send()
            return
        except smtplib.SMTPRecipientsRefused:
            raise  # the session is fine; this address is not
        except (smtplib.SMTPServerDisconnected, OSError):
            drop()
            if attempt == 2:
                raise
        except smtplib.SMTPException:
            drop()
            raise


@receiver(setting_changed)
def _forget_on_new_mail_settings(setting: str, **kwargs: Any) -> None:
    if setting.startswith("EMAIL_"):
        drop()
