from django import forms

from sunlight.exchange.choices import SourceLevel
from sunlight.org.models import Department


class SourceForm(forms.Form):
    code = forms.SlugField(label="系统代码（英文，如 housing-oa）", max_length=40)
    name = forms.CharField(label="系统名称", max_length=100)
    level = forms.ChoiceField(label="层级", choices=SourceLevel.choices)
    vertical = forms.BooleanField(label="垂直管理系统（条管部门的自建系统）", required=False)
    departments = forms.ModelMultipleChoiceField(
        label="可报送的部门", queryset=Department.objects.order_by("code")
    )
    require_signature = forms.BooleanField(label="要求请求签名（HMAC）", required=False)
