"""The Swagger UI page, served from the sidecar package (no CDN) under our CSP."""

from csp.decorators import csp_update
from django.http import HttpRequest, JsonResponse
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView


# Swagger UI (React) writes style attributes at run time; CSP would drop them and leave the
# page unreadable. Only this page allows inline styles; scripts stay 'self' only (the split
# view serves its start-up script as a file, not inline).
@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class SwaggerPage(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


def api_not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {"detail": "接口不存在，请查看 /api/v1/docs/", "code": "not_found"},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )
