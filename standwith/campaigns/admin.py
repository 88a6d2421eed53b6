from django.contrib import admin

from standwith.campaigns.models import Organization, Petition, Target


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ["name", "slug", "website"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin[Target]):
    list_display = ["name", "role", "organisation", "country"]
    search_fields = ["name", "role", "organisation"]


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin[Petition]):
    list_display = ["title", "organization", "state", "verification", "goal", "deadline", "created_at"]
    list_filter = ["state", "verification", "organization"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["targets", "partners"]
