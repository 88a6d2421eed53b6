import secrets

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Organization, Petition
from standwith.outreach.embeds.origins import parse_origins

# The same codes the sign form keeps in its `source` field (signing/forms.py); any other is dropped there.
SOURCE_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"


def new_key() -> str:
    """An embed's address: unguessable, so the list of embeds (and so of partners) cannot be walked."""
    return secrets.token_urlsafe(18)


class Embed(models.Model):
    """A petition's sign form on a partner's own website, in a frame only the listed sites may show."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="embeds")
    partner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="embeds")
    origins = models.TextField(
        _("websites"),
        help_text=_("The sites allowed to show the form, one a line, such as https://www.example.org."),
    )
    source = models.CharField(
        _("source code"),
        max_length=64,
        validators=[
            RegexValidator(SOURCE_PATTERN, _("Use letters, digits, dots, dashes and underscores only (at most 64)."))
        ],
        help_text=_("Recorded with every signature made through this embed, to credit the partner."),
    )
    active = models.BooleanField(_("active"), default=True, help_text=_("Untick to stop showing the form."))
    key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=~Q(origins=""), name="embed_origins_not_empty")]

    def __str__(self) -> str:
        return f"{self.petition} · {self.partner}"

    @property
    def origin_list(self) -> list[str]:
        return self.origins.split()

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        try:
            self.origins = "\n".join(parse_origins(self.origins))
        except ValidationError as error:
            errors["origins"] = error
        if self.petition_id and self.partner_id and not _runs(self.partner_id, self.petition):
            errors["partner"] = ValidationError(
                _("This organisation does not run this petition; add it to the petition's partners first."),
                code="not_a_partner",
            )
        if errors:
            raise ValidationError(errors)


def _runs(organization_id: int, petition: Petition) -> bool:
    return organization_id == petition.organization_id or petition.partners.filter(pk=organization_id).exists()
