"""Department score pages, included by the app's urls.py at "scores/" (namespace "supervision")."""

from django.urls import path

from sunlight.supervision import views_scores

urlpatterns = [
    path("", views_scores.score_month, name="score_month"),
    path("compute/", views_scores.score_compute, name="score_compute"),
    path("scheme/", views_scores.score_scheme, name="score_scheme"),
    path("<str:month>/export/", views_scores.score_export, name="score_export"),
    path(
        "<str:month>/<int:department_id>/", views_scores.score_department, name="score_department"
    ),
    path(
        "<str:month>/<int:department_id>/deductions/<int:index>/",
        views_scores.score_alerts,
        name="score_alerts",
    ),
    path(
        "<str:month>/<int:department_id>/<slug:code>/<slug:part>/",
        views_scores.score_drill,
        name="score_drill",
    ),
]
