"""Admin for the review site's reference data and people; cases and runs are not here (their
pages log every view of personal data, the admin would not)."""

from django.contrib import admin

from himoken.web.review.models import Business, LetterTemplate, Organisation, Role


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ["organisation", "name", "system"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "organisation"]
    filter_horizontal = ["businesses"]


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["kind", "title", "updated"]
