from django.urls import path

from himoken.web.progress import views

app_name = "progress"
urlpatterns = [path("reports/", views.reports, name="reports")]
