from django.urls import path
from django.views.generic import RedirectView

from himoken.web.progress import views

app_name = "progress"
urlpatterns = [
    # The dashboard will be the front page; until then the reports are.
    path("", RedirectView.as_view(pattern_name="progress:reports"), name="home"),
    path("reports/", views.reports, name="reports"),
]
