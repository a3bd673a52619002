"""The public checkpoint page and file: anyone may fetch them and keep copies, which is what
makes a rewritten tail detectable later."""

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from sunlight.audit import checkpoints


def checkpoint_list(request: HttpRequest) -> HttpResponse:
    document_key = checkpoints.configured_public_key_hex()
    rows = [{"row": row, "record": json.loads(row.body)} for row in checkpoints.checkpoint_recent()]
    return render(
        request,
        "audit/checkpoints.html",
        {
            "public_key": document_key,
            "key_id": checkpoints.signing.key_id(document_key),
            "rows": rows,
            "interval": checkpoints.settings.SUNLIGHT_AUDIT_CHECKPOINT_MINUTES,
        },
    )


def checkpoint_document(request: HttpRequest) -> JsonResponse:
    since = request.GET.get("since", "0")
    since_id = int(since) if since.isdigit() else 0
    response = JsonResponse(
        checkpoints.public_document(since_id=since_id), json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Disposition"] = 'inline; filename="audit-checkpoints.json"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
