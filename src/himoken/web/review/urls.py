"""URLs of the review app (mounted at the review site's root)."""

from django.urls import path

from himoken.web.review import views, views_recollation

app_name = "review"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/reveal/", views.case_reveal, name="case_reveal"),
    path("cases/<int:pk>/contacts/", views.case_contact, name="case_contact"),
    path("cases/<int:pk>/decisions/", views.case_decide, name="case_decide"),
    path("cases/<int:pk>/comments/", views.case_comment, name="case_comment"),
    path("cases/<int:pk>/checklist/", views.case_checklist, name="case_checklist"),
    path("cases/<int:pk>/letters/<str:kind>.pdf", views.case_letter, name="case_letter"),
    path("decisions/<int:pk>/approval/", views.decision_approve, name="decision_approve"),
    path("approvals/", views.approvals, name="approvals"),
    path("letters/<str:kind>/", views.letter_template, name="letter_template"),
    path("audit/", views.audit_log, name="audit"),
    path("runs/", views.runs, name="runs"),
    path("runs/new/", views.run_start, name="run_start"),
    path("runs/import/", views.run_import, name="run_import"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/corrections.<str:fmt>", views.run_corrections, name="run_corrections"),
    path("runs/<int:pk>/summary.json", views.run_summary, name="run_summary"),
    path("runs/<int:pk>/purge/", views.run_purge, name="run_purge"),
    path("recollation/", views_recollation.recollations, name="recollations"),
    path("recollation/<int:business>/", views_recollation.recollation, name="recollation"),
]
