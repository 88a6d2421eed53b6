from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Organization(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    # Members of the public may propose petitions to it (each one reviewed by moderators before it is public).
    accepts_proposals = models.BooleanField(
        default=False, help_text=_("Members of the public may propose petitions to this organisation.")
    )
    # How long after a petition closes its signers' personal data is kept (standwith/signing/erasure.py).
    retention_days = models.PositiveIntegerField(
        _("days personal data is kept after a petition closes"),
        default=180,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Then the names and addresses of its signers are erased; the count and figures remain."),
    )
    # Its people check signers in person (a street stall, a meeting): signatures it records through the API as
    # verified offline count at once, without an emailed confirmation. Only site admins grant this.
    vouches_offline = models.BooleanField(
        _("vouches for signatures verified offline"),
        default=False,
        help_text=_(
            "Signatures this organisation records through the API as verified in person count without "
            "an emailed confirmation. Grant this only to organisations you trust to check signers."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Translation(models.Model):
    """One field of one campaign text in another language.

    Each translatable model names its fields in TRANSLATED_FIELDS; a field
    with no translation is shown in the text's original language, with a note.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    language = models.CharField(max_length=10)
    field = models.CharField(max_length=32)
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "language", "field"], name="translation_unique_field"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="translation_text_not_empty"),
        ]
        indexes = [models.Index(fields=["language", "content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.field} ({self.language})"

    def clean(self) -> None:
        from django.conf import settings
        from django.core.exceptions import ValidationError

        if self.language not in dict(settings.LANGUAGES):
            raise ValidationError({"language": _("The site does not speak this language.")})
        fields = getattr(self.content_type.model_class(), "TRANSLATED_FIELDS", ()) if self.content_type_id else ()
        if self.field not in fields:
            raise ValidationError({"field": _("This text cannot be translated.")})


class Target(models.Model):
    """A decision-maker a petition is addressed to."""

    TRANSLATED_FIELDS = ("name", "role", "organisation")

    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    country = CountryField(blank=True)
    # An office's public address, not a signer's: stored as typed. Empty: this target is never mailed.
    email = models.EmailField(
        blank=True,
        help_text=_(
            "Where the petition is sent at its milestones, if the petition says so. Leave empty to never mail."
        ),
    )
    translations = GenericRelation(Translation)

    class Meta:
        ordering = ["pk"]  # in the order staff added them: the most senior first, as a letter would

    def __str__(self) -> str:
        return f"{self.name}, {self.role}"


class Case(models.Model):
    """The people at risk and their story, told by one organisation; its petitions ask for action."""

    TRANSLATED_FIELDS = ("title", "summary", "picture_text")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cases")
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=2000)
    language = models.CharField(max_length=10, default="en")
    country = CountryField(blank=True, help_text=_("Where the people at risk are."))
    picture = models.ImageField(upload_to="cases/", blank=True)
    picture_text = models.CharField(
        max_length=300, blank=True, help_text=_("What the picture shows, for people who cannot see it.")
    )
    picture_credit = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    translations = GenericRelation(Translation)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=~Q(slug=""), name="case_slug_not_empty")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("case", args=[self.slug])


class PersonStatus(models.TextChoices):
    AT_RISK = "at_risk", _("At risk")
    DETAINED = "detained", _("Detained")
    MISSING = "missing", _("Missing")
    RELEASED = "released", _("Released")
    SAFE = "safe", _("Safe")


class Person(models.Model):
    TRANSLATED_FIELDS = ("name", "location")
    Status = PersonStatus

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="persons")
    name = models.CharField(max_length=200)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=PersonStatus.choices, default=PersonStatus.AT_RISK)
    status_since = models.DateField(help_text=_("When the status last changed."))
    position = models.PositiveSmallIntegerField(default=0)
    translations = GenericRelation(Translation)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PersonStatus.values), name="person_status_valid"),
            models.CheckConstraint(condition=Q(age__lt=130), name="person_age_plausible"),
        ]

    def __str__(self) -> str:
        return self.name


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class DatedAndSourced(models.Model):
    """What a case's story is told with: when it was (no more precisely than known) and who reported it."""

    date = models.DateField()
    # Reports often give only the month ("last June"): the page must not claim more.
    precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    source_name = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(blank=True)
    translations = GenericRelation(Translation)

    class Meta:
        abstract = True


class TimelineEvent(DatedAndSourced):
    """Something that happened to the people of a case, with where it was reported."""

    TRANSLATED_FIELDS = ("text", "place", "source_name")
    Precision = DatePrecision

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    text = models.TextField(max_length=2000)
    place = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(precision__in=DatePrecision.values), name="event_precision_valid")
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.text[:60]}"


class Statement(DatedAndSourced):
    """A short quotation from an organisation about a case, attributed in full."""

    TRANSLATED_FIELDS = ("speaker", "role", "quote", "source_name")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="statements")
    speaker = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200)
    quote = models.TextField(max_length=2000)

    class Meta:
        ordering = ["-date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(precision__in=DatePrecision.values), name="statement_precision_valid")
        ]

    def __str__(self) -> str:
        return f"{self.speaker}, {self.organisation}"


class Update(models.Model):
    """News on a campaign, published by its staff.

    Shown on the case's pages and feeds once published; a later mailing to
    consenting signers refers to the update by id.
    """

    TRANSLATED_FIELDS = ("title", "body")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="updates")
    title = models.CharField(max_length=200)
    body = models.TextField(help_text=_("Markdown; rendered safely."))
    published_at = models.DateTimeField(null=True, blank=True, help_text=_("Empty while it is a draft."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    translations = GenericRelation(Translation)

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["case", "-published_at"])]

    def __str__(self) -> str:
        return self.title


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


class ShieldMode(models.TextChoices):
    OFF = "off", _("Off")
    AUTO = "auto", _("Automatic: raised during a flood")
    ALWAYS = "always", _("Always up")


class Petition(models.Model):
    TRANSLATED_FIELDS = ("title", "summary", "body")
    State = PetitionState
    Verification = PetitionVerification
    Shields = ShieldMode

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="petitions")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="petitions")
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
    # Set when the petition first opens; a petition that was public and is then
    # rejected was removed, and its address says so (410) with the reason.
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    mail_targets = models.BooleanField(
        default=False,
        verbose_name=_("Mail the targets at each milestone"),
        help_text=_(
            "At each milestone, targets with an email address receive the petition, the current count and a link "
            "to respond."
        ),
    )
    removal_reason = models.TextField(blank=True, editable=False)
    # When it stopped taking signatures (closed, or removed while public); its signers' personal data is erased
    # the organisation's retention_days after this (standwith/signing/retention.py).
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Shields up: signing needs the proof-of-work challenge, and the rate limits are tighter.
    shield_mode = models.CharField(
        max_length=6,
        choices=ShieldMode.choices,
        default=ShieldMode.AUTO,
        help_text=_("Automatic raises the shields by itself when a flood of signatures comes from a few places."),
    )
    # Set while automatic shields are up, with why; kept on the petition so the sign path reads it from cache.
    shields_raised_at = models.DateTimeField(null=True, blank=True, editable=False)
    shields_reason = models.CharField(max_length=300, blank=True, editable=False)
    # The last minute the storm was still seen; the shields come down after a calm spell from here.
    shields_storm_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    translations = GenericRelation(Translation)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=PetitionState.values), name="petition_state_valid"),
            models.CheckConstraint(
                condition=Q(verification__in=PetitionVerification.values), name="petition_verification_valid"
            ),
            models.CheckConstraint(condition=Q(goal__gt=0), name="petition_goal_positive"),
            models.CheckConstraint(condition=~Q(slug=""), name="petition_slug_not_empty"),
            models.CheckConstraint(condition=Q(shield_mode__in=ShieldMode.values), name="petition_shield_mode_valid"),
        ]
        indexes = [models.Index(fields=["state", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("petition", args=[self.slug])


class Milestone(models.Model):
    """A signature count a petition has passed, recorded once: its staff are told, its page says so."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="milestones")
    threshold = models.PositiveIntegerField()
    # When the periodic job first saw the count past the threshold, within a minute of it.
    reached_at = models.DateTimeField()

    class Meta:
        ordering = ["petition", "threshold"]
        constraints = [
            # Two workers recording the same crossing at once: one row, one email.
            models.UniqueConstraint(fields=["petition", "threshold"], name="milestone_unique_threshold"),
            models.CheckConstraint(condition=Q(threshold__gt=0), name="milestone_threshold_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.petition}: {self.threshold}"


class TargetResponse(models.Model):
    """What one of a petition's targets answered, recorded by its staff and shown on its page."""

    TRANSLATED_FIELDS = ("text",)

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="responses")
    # Protected: a response on record should not vanish with an edit to the list of targets.
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="responses")
    date = models.DateField()
    text = models.TextField(max_length=4000)
    source_name = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    translations = GenericRelation(Translation)

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="response_text_not_empty")]

    def __str__(self) -> str:
        return f"{self.target.name}, {self.date}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.petition_id and self.target_id and not self.petition.targets.filter(pk=self.target_id).exists():
            raise ValidationError({"target": _("This petition is not addressed to this person.")})


class ResponseSubmission(models.Model):
    """What a target sent through the link in a milestone email; staff check it before it becomes a response.

    Anyone holding a forwarded link could write here, so nothing is shown publicly until staff record it.
    """

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="response_submissions")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="+")
    sender = models.CharField(max_length=200, blank=True)
    text = models.TextField(max_length=4000)
    submitted_at = models.DateTimeField(auto_now_add=True)
    recorded_as = models.OneToOneField(
        TargetResponse, null=True, blank=True, on_delete=models.SET_NULL, related_name="submission"
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.target.name}, {self.submitted_at:%Y-%m-%d}"
