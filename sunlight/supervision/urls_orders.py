"""Supervision order pages, included by the app's urls.py at "orders/" (namespace
"supervision")."""

from django.urls import path

from sunlight.supervision import views_orders

urlpatterns = [
    path("", views_orders.order_list, name="order_list"),
    path("new/", views_orders.order_issue, name="order_issue"),
    path("<str:number>/", views_orders.order_detail, name="order_detail"),
    path("<str:number>/actions/<slug:action>/", views_orders.order_act, name="order_act"),
    path(
        "<str:number>/attachments/<int:attachment_id>/",
        views_orders.attachment_download,
        name="order_attachment",
    ),
]
