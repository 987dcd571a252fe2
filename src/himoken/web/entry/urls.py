from django.urls import path

from himoken.web.entry import views

app_name = "entry"
urlpatterns = [
    path("", views.check, name="check"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/override/", views.request_override, name="request_override"),
    path("<uuid:pk>/decide/", views.decide_override, name="decide_override"),
]
