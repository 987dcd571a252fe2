"""URLs of the review site (isolated network). The admin manages users, roles, organisations
and letter templates only; records are reached through the audited pages."""

from django.contrib import admin
from django.urls import include, path

from himoken.web.entry.api import api as entry_api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", entry_api.urls),
    path("entry-checks/", include("himoken.web.entry.urls")),
    path("residual/", include("himoken.web.residual.urls")),
    path("", include("himoken.web.review.urls")),
]
