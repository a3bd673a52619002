"""Forms only carry what was typed; the services judge it (every problem at once, in Chinese),
so nothing here is required or length-bound beyond what a browser may send."""

from typing import Any

from django import forms

from sunlight.org.forms import StaffForm
from sunlight.publicity.choices import WindowUnit


def _text(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ObjectionForm(StaffForm):
    text = forms.CharField(
        label="异议内容", required=False, widget=_text(6), help_text="不超过1000字", strip=False
    )
    name = forms.CharField(label="姓名", required=False, max_length=200, help_text="选填，不公开")
    contact = forms.CharField(
        label="联系电话", required=False, max_length=40, help_text="选填，不公开，便于答复联系"
    )


class NoticeForm(StaffForm):
    title = forms.CharField(label="公示项目", required=False, max_length=400)
    summary = forms.CharField(
        label="公示内容",
        required=False,
        widget=_text(8),
        strip=False,
        help_text="建设内容、规模等向社会公示的事项；请勿填写个人证件号码、电话和住址",
    )
    district_code = forms.ChoiceField(label="所在区县", required=False, choices=())
    address = forms.CharField(label="项目地址", required=False, max_length=400)
    longitude = forms.CharField(label="经度", required=False, max_length=40)
    latitude = forms.CharField(label="纬度", required=False, max_length=40)

    def __init__(self, *args: Any, districts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district_code"].choices = [("", "请选择"), *districts]


class AnswerForm(StaffForm):
    reply = forms.CharField(label="答复", required=False, widget=_text(6), strip=False)


class RequirementForm(StaffForm):
    window_days = forms.IntegerField(label="公示期", required=False, min_value=1, max_value=60)
    window_unit = forms.ChoiceField(
        label="公示期单位", choices=WindowUnit.choices, initial=WindowUnit.NATURAL_DAY
    )
    located = forms.BooleanField(label="须标注项目位置（在地图上公示）", required=False)


class DistrictFileForm(StaffForm):
    file = forms.FileField(
        label="区县边界文件",
        required=False,
        help_text="GeoJSON（.json/.geojson，不超过16MB）：每个区县一个面要素，"
        "properties 含 adcode 或 code（6位区划代码）和 name，如 DataV 的 330100_full.json",
    )
