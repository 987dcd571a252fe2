"""URLs of the residual-risk pages (mounted at /residual/ on the review site)."""

from django.urls import path

from himoken.web.residual import views

app_name = "residual"
urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<int:pk>/", views.estimate, name="estimate"),
    path("runs/<int:pk>/draw/", views.draw, name="draw"),
    path("runs/<int:pk>/sample/", views.sample, name="sample"),
    path("runs/<int:pk>/sample.csv", views.sample_csv, name="sample_csv"),
    path("runs/<int:pk>/sample/upload/", views.sample_upload, name="sample_upload"),
    path("rows/<int:pk>/", views.mark, name="mark"),
]
