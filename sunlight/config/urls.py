from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "阳光政务 系统管理"
admin.site.site_title = "阳光政务"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("staff/", include("sunlight.org.urls")),
    path("staff/catalog/", include("sunlight.catalog.urls")),
    path("staff/flows/", include("sunlight.flows.urls")),
    path("staff/cases/reports/", include("sunlight.cases.urls_reports")),
    path("staff/cases/joint/", include("sunlight.cases.urls_joint")),
    path("staff/cases/history/", include("sunlight.cases.urls_history")),
    path("staff/cases/", include("sunlight.cases.urls")),
    path("staff/supervision/", include("sunlight.supervision.urls")),
    path("staff/discretion/", include("sunlight.discretion.urls")),
    path("staff/notifications/", include("sunlight.notifications.urls")),
    path("staff/exchange/", include("sunlight.exchange.urls")),
    path("staff/rollup/", include("sunlight.rollup.urls")),
    path("staff/publication/", include("sunlight.publication.urls_staff")),
    path("staff/disclosure/", include("sunlight.disclosure.urls_staff")),
    path("staff/publicity/", include("sunlight.publicity.urls_staff")),
    path("publicity/", include("sunlight.publicity.urls")),
    path("apply/", include("sunlight.cases.urls_public")),
    path("progress/", include("sunlight.cases.urls_progress")),
    path("my/", include("sunlight.applicants.urls")),
    path("staff/feedback/", include("sunlight.feedback.urls")),
    path("rate/", include("sunlight.feedback.urls_rate")),
    path("feedback/", include("sunlight.feedback.urls_public")),
    path("api/v1/", include("sunlight.api.urls")),
    path("audit/", include("sunlight.audit.urls")),
    path("", include("sunlight.publication.urls")),
    path("", include("sunlight.disclosure.urls")),
]
