"""/staff/supervision/: the centre, alerts and rules here; supervision orders (督办) and
department scores in their own url modules."""

from django.urls import include, path

from sunlight.supervision import views, views_rules

app_name = "supervision"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("scan/", views.scan_now, name="scan_now"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:alert_id>/<slug:action>/", views.alert_act, name="alert_act"),
    path("rules/", views_rules.rule_list, name="rule_list"),
    path("rules/<slug:code>/", views_rules.rule_edit, name="rule_edit"),
    path("rules/<slug:code>/replay/", views_rules.rule_replay_view, name="rule_replay"),
    path("orders/", include("sunlight.supervision.urls_orders")),
    path("scores/", include("sunlight.supervision.urls_scores")),
]
