"""The project's URLs plus /bench/trivial/: a fixed JSON body, no database — the yardstick."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def trivial(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("sunlight.config.urls")),
]
