"""A new signature and its confirmation email in one statement, on PostgreSQL.

The sign path is the hot path of a viral petition. Through the ORM it costs
four round trips to the database (BEGIN, two INSERTs, COMMIT); as one
statement with a data-modifying CTE it costs one, and a single statement is
atomic by itself, so the signature and its email task still commit together
or not at all. The task row is the one django-tasks-db's `enqueue` writes
(the worker reads it the same way; the mail tests run on PostgreSQL in CI).
"""

import uuid
from contextlib import nullcontext
from functools import cache

from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult, get_date_max

from standwith.signing.models import Signature


@cache
def _statement() -> str:
    fields = [field for field in Signature._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    tasks = quote(DBTaskResult._meta.db_table)
    signatures = quote(Signature._meta.db_table)
    # Identifiers come from the models' metadata; every value is a parameter.
    return (
        f"WITH new_signature AS (INSERT INTO {signatures} ({columns}) VALUES ({placeholders}) RETURNING id) "  # noqa: S608
        f"INSERT INTO {tasks} (id, status, enqueued_at, run_after, args_kwargs, priority, task_path, queue_name,"
        " backend_name, worker_ids, exception_class_path, traceback)"
        " SELECT %s, 'READY', now(), %s, jsonb_build_object('args', jsonb_build_array(id, 'signed', %s),"
        " 'kwargs', '{}'::jsonb), %s, %s, %s, %s, '[]'::jsonb, '', '' FROM new_signature"
        " RETURNING (args_kwargs -> 'args' ->> 0)::bigint"
    )


def insert_with_confirmation_mail(signature: Signature) -> None:
    """Insert the signature and enqueue its "signed" email; raises IntegrityError on a repeat."""
    from standwith.signing.tasks import send_signature_mail

    fields = [field for field in Signature._meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(signature, add=True), connection) for field in fields]
    task = send_signature_mail
    # In autocommit the statement is its own transaction; inside someone
    # else's transaction it gets a savepoint, so a repeat does not abort theirs.
    inside = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with inside, connection.cursor() as cursor:
        cursor.execute(
            _statement(),
            [
                *values,
                uuid.uuid4(),
                get_date_max(),
                uuid.uuid4().hex,
                task.priority,
                task.module_path,
                task.queue_name,
                task.backend,
            ],
        )
        signature.pk = cursor.fetchone()[0]
