from django.contrib import admin

from himoken.web.entry.models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Clients are made by manage.py entry_client (the token is shown once); here they are
    listed and switched off."""

    list_display = ("name", "organisation", "key_id", "active", "created")
    list_filter = ("active", "organisation")
    fields = ("organisation", "name", "key_id", "active", "created")
    readonly_fields = ("organisation", "name", "key_id", "created")

    def has_add_permission(self, request: object) -> bool:
        return False
