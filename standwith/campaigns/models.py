from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Organization(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """A decision-maker a petition is addressed to."""

    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    country = CountryField(blank=True)

    class Meta:
        ordering = ["pk"]  # in the order staff added them: the most senior first, as a letter would

    def __str__(self) -> str:
        return f"{self.name}, {self.role}"


class PetitionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending review")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    ARCHIVED = "archived", _("Archived")


class PetitionVerification(models.TextChoices):
    EMAIL = "email", _("Counts after the signer confirms by email")
    NONE = "none", _("Counts at once (confirmation still sent)")


class Petition(models.Model):
    State = PetitionState
    Verification = PetitionVerification

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="petitions")
    partners = models.ManyToManyField(Organization, blank=True, related_name="partner_petitions")
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500)
    body = models.TextField(help_text=_("Markdown; rendered safely."))
    language = models.CharField(max_length=10, default="en")
    targets = models.ManyToManyField(Target, blank=True, related_name="petitions")
    goal = models.PositiveIntegerField(default=100_000)
    deadline = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=PetitionState.choices, default=PetitionState.DRAFT)
    verification = models.CharField(
        max_length=10, choices=PetitionVerification.choices, default=PetitionVerification.EMAIL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=PetitionState.values), name="petition_state_valid"),
            models.CheckConstraint(
                condition=Q(verification__in=PetitionVerification.values), name="petition_verification_valid"
            ),
            models.CheckConstraint(condition=Q(goal__gt=0), name="petition_goal_positive"),
            models.CheckConstraint(condition=~Q(slug=""), name="petition_slug_not_empty"),
        ]
        indexes = [models.Index(fields=["state", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("petition", args=[self.slug])
