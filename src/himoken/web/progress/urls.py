from django.urls import path

from himoken.web.progress import views

app_name = "progress"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("executive/", views.executive, name="executive"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path("stages/<int:pk>/", views.stage, name="stage"),
    path("businesses/<int:pk>/survey/", views.survey, name="survey"),
    path("reports/", views.reports, name="reports"),
    path("consultations/", views.consultations, name="consultations"),
    path("consultations/<int:pk>/", views.consultation, name="consultation"),
    path("requests/", views.state_requests, name="state_requests"),
    path("requests/<int:pk>/", views.state_request, name="state_request"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("exports/summary.xlsx", views.export_summary, name="export_summary"),
    path("exports/<str:what>.csv", views.export_csv, name="export_csv"),
]
