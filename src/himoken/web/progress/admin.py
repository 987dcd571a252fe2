from django.contrib import admin

from himoken.web.progress.models import (
    Business,
    Consultation,
    Deadline,
    Organisation,
    Report,
    Role,
    Snapshot,
    StageProgress,
    StateRequest,
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


class StageInline(admin.TabularInline):
    model = StageProgress
    extra = 0


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ["organisation", "name", "system"]
    list_filter = ["name"]
    inlines = [StageInline]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["business", "finished", "record_rows", "flagged", "uploaded"]
    readonly_fields = [f.name for f in Report._meta.fields]


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["organisation", "category", "status", "due", "owner"]
    list_filter = ["status", "category"]


@admin.register(StateRequest)
class StateRequestAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "created"]
    list_filter = ["kind", "status"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "organisation"]
    list_filter = ["kind"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["business", "on", "target", "collated", "flagged", "wrong_found", "source"]
    list_filter = ["source"]
    date_hierarchy = "on"


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = ["business_name", "due", "set_by", "note"]
