"""The admin's page for a city's district outlines: upload a GeoJSON file, see the map drawn
from it (nothing stored), then confirm. The preview hands the checked outlines back in a
signed token, so the confirmation stores exactly what was shown; the service checks the
regions again when it stores them."""

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sunlight.core.errors import ValidationFailed
from sunlight.org.decorators import org_admin_required
from sunlight.org.forms import apply_problems
from sunlight.publicity import district_map
from sunlight.publicity.district_file import MAX_FILE_BYTES, DistrictFile
from sunlight.publicity.district_outlines import (
    CheckedFile,
    district_outlines_check,
    district_outlines_load,
)
from sunlight.publicity.forms import DistrictFileForm
from sunlight.publicity.selectors import district_outline_summary

SALT = "publicity.districts.preview"
PREVIEW_SECONDS = 3600


def _token(checked: CheckedFile) -> str:
    payload = {"file": checked.parsed.as_data(), "source": checked.source,
               "sha256": checked.sha256}  # fmt: skip
    return signing.dumps(payload, salt=SALT, compress=True)


def _from_token(token: str) -> CheckedFile:
    payload = signing.loads(token, salt=SALT, max_age=PREVIEW_SECONDS)
    return CheckedFile(
        parsed=DistrictFile.from_data(payload["file"]),
        names={},
        source=payload["source"],
        sha256=payload["sha256"],
    )


@org_admin_required
def districts_load(request: HttpRequest) -> HttpResponse:
    form = DistrictFileForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form, "loaded": district_outline_summary()}
    status = 200
    if request.method == "POST" and "token" in request.POST:
        try:
            checked = _from_token(request.POST["token"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            form.add_error(None, "预览已失效（超过1小时或内容被改动），请重新上传文件")
            status = 400
        else:
            try:
                outlines = district_outlines_load(actor=request.user, checked=checked)
            except ValidationFailed as exc:
                apply_problems(form, exc.problems)
                status = 400
            else:
                messages.success(request, f"已载入{len(outlines)}个区县的边界，公示地图已更新。")
                return redirect("publicity_staff:districts")
    elif request.method == "POST":
        status = 400
        upload = request.FILES.get("file")
        if upload is None:
            form.add_error("file", "请选择 GeoJSON 文件")
        elif upload.size > MAX_FILE_BYTES:
            # Refused on its size alone: the file is not read.
            form.add_error(
                "file",
                f"文件过大（{upload.size / 1024 / 1024:.1f}MB，上限"
                f"{MAX_FILE_BYTES // 1024 // 1024}MB）：请先用 mapshaper 等工具简化边界后再载入",
            )
        else:
            try:
                checked = district_outlines_check(
                    actor=request.user, data=upload.read(), filename=upload.name or ""
                )
            except ValidationFailed as exc:
                context["problems"] = exc.problems
                form.add_error(None, f"文件未通过检查，发现{len(exc.problems)}个问题，未载入")
            else:
                status = 200
                parsed = checked.parsed
                context.update(
                    checked=checked,
                    token=_token(checked),
                    rows=[(d, checked.names[d.code]) for d in parsed.districts],
                    preview=district_map.map_svg(
                        names=checked.names,
                        outlines={d.code: d.polygons for d in parsed.districts},
                        markers=[],
                    ),
                )
    return render(request, "publicity/staff_districts.html", context, status=status)
