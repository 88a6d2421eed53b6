import pytest
from django.db import DatabaseError, connection, transaction

from standwith.staff import services
from standwith.staff.models import AppendOnly, AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(petition):
    return services.record(None, "petition.edit", petition, field="title")


def test_it_records_who_did_what_to_which_object(entry, petition):
    assert (entry.action, entry.object_type, entry.object_id) == (
        "petition.edit",
        "campaigns.petition",
        str(petition.pk),
    )
    assert entry.object_repr == "Free them"
    assert entry.details == {"field": "title"}


def test_it_refuses_to_change_or_delete_a_record_through_the_application(entry):
    entry.action = "nothing happened"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditRecord.objects.filter(pk=entry.pk).update(action="nothing happened")
    with pytest.raises(AppendOnly):
        AuditRecord.objects.all().delete()

    assert AuditRecord.objects.get(pk=entry.pk).action == "petition.edit"


@pytest.mark.parametrize(
    "statement",
    ["UPDATE staff_auditrecord SET action = 'nothing happened'", "DELETE FROM staff_auditrecord"],
)
def test_it_refuses_to_change_or_delete_a_record_in_the_database_itself(entry, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    assert AuditRecord.objects.get(pk=entry.pk).action == "petition.edit"
