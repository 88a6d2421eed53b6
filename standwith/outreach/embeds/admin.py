from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Organization
from standwith.outreach.embeds.models import Embed
from standwith.staff.access import OrganisationScopedAdmin


class EmbedForm(forms.ModelForm[Embed]):
    class Meta:
        model = Embed
        fields = ["petition", "partner", "origins", "source", "active"]
        widgets = {"origins": forms.Textarea(attrs={"rows": 4, "cols": 60, "spellcheck": "false"})}


@admin.register(Embed)
class EmbedAdmin(OrganisationScopedAdmin):
    """A petition's embeds, managed by its organisation's staff; every change is in the audit log."""

    form = EmbedForm
    organisation_path = "petition__organization"
    list_display = ["petition", "partner", "source", "active", "created_at"]
    list_filter = ["active"]
    list_select_related = ["petition", "partner"]
    search_fields = ["petition__title", "partner__name", "source"]
    readonly_fields = ["snippets"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Snippets only once saved: an unsaved embed's key is not the one it will have.
        fields = ("petition", "partner", "origins", "source", "active")
        return (*fields, "snippets") if obj is not None else fields

    @admin.display(description=_("For the partner's website"))
    def snippets(self, embed: Embed) -> SafeString:
        return render_to_string("embeds/admin_snippets.html", {"embed": embed, "site_url": settings.SITE_URL})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # The partner is another organisation than the staff member's own; the model checks it runs the petition.
        if db_field.name == "partner":
            kwargs["queryset"] = Organization.objects.all()
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
