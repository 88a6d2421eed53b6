from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Organization


class Role(models.TextChoices):
    # Drafts and edits its organisation's campaigns, cases, petitions and updates.
    CAMPAIGNER = "campaigner", _("Campaigner")
    # Reviews, publishes and rejects petitions of every organisation.
    MODERATOR = "moderator", _("Moderator")
    # May see and export the personal data of its organisation's signers.
    DATA_OFFICER = "data_officer", _("Data officer")
    # Everything, including managing staff.
    ADMIN = "admin", _("Admin")


class Membership(models.Model):
    """A staff member's role in an organisation; one person may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique_role"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


class AuditRecordQuerySet(models.QuerySet["AuditRecord"]):
    def update(self, **kwargs: object) -> int:
        raise AppendOnly

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly


class AppendOnly(Exception):
    """The audit log is only ever added to."""


class AuditRecord(models.Model):
    """Who did what to which object, when, and from which network.

    Append-only: the application refuses to change or delete a record, and
    database triggers refuse it too, so no code path can rewrite history.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Kept as text as well: the record must still say who it was after the account is gone.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=254)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    details = models.JSONField(default=dict, blank=True)
    # The /24 or /48 the action came from, never the address itself.
    network = models.CharField(max_length=64, blank=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.action} {self.object_repr}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise AppendOnly
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnly


class SiteSwitches(models.Model):
    """Switches admins flip without a deploy; one row, changed only through the staff services (audited)."""

    # While set, no petition takes signatures; on resuming, open petitions' deadlines move on by the pause.
    signing_paused_since = models.DateTimeField(null=True, blank=True)
    read_only = models.BooleanField(
        default=False, help_text=_("Refuse every change, public or staff, but this switch.")
    )
    proposals_open = models.BooleanField(default=True, help_text=_("Members of the public may propose petitions."))
    banner = models.CharField(max_length=300, blank=True, help_text=_("A short message shown on every page."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "site switches"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="site_switches_single_row")]

    def __str__(self) -> str:
        return str(_("Site switches"))


class ReasonTemplate(models.Model):
    """A reason moderators often give (duplicate, offensive…), kept by admins and picked when rejecting."""

    title = models.CharField(max_length=100, unique=True)
    text = models.TextField(max_length=1000, help_text=_("Shown to the public on a removed petition's page."))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title
