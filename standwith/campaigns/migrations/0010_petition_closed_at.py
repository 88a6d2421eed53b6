from django.db import migrations, models

STOPPED = ["closed", "archived", "rejected"]


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Petitions already closed: when the audit log says they closed, else their last change (later, never sooner)."""
    Petition = apps.get_model("campaigns", "Petition")
    AuditRecord = apps.get_model("staff", "AuditRecord")
    stopped = Petition.objects.filter(state__in=STOPPED, closed_at__isnull=True)
    # A rejected petition that was never public never took signatures.
    stopped = stopped.exclude(state="rejected", published_at__isnull=True)
    for petition in stopped.only("pk", "updated_at").iterator():
        closing = (
            AuditRecord.objects.filter(
                object_type="campaigns.petition",
                object_id=str(petition.pk),
                action__in=["petition.close", "petition.remove"],
            )
            .order_by("at")
            .values_list("at", flat=True)
            .first()
        )
        Petition.objects.filter(pk=petition.pk).update(closed_at=closing or petition.updated_at)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0009_organization_retention_days"),
        ("staff", "0001_roles_and_audit"),
    ]

    operations = [
        migrations.AddField(
            model_name="petition",
            name="closed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
