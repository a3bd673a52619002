from django import forms

from sunlight.notifications.choices import Channel
from sunlight.org.forms import StaffForm

# Service problems name the channel; they belong on its address field.
PROBLEM_FIELDS = {Channel.EMAIL.label: "email_address", Channel.SMS.label: "sms_address"}


class ChannelSettingsForm(StaffForm):
    email_enabled = forms.BooleanField(label="接收电子邮件", required=False)
    email_address = forms.CharField(
        label="电子邮件地址",
        required=False,
        max_length=254,
        help_text="留空则使用账号登记的邮箱",
    )
    sms_enabled = forms.BooleanField(label="接收短信", required=False)
    sms_address = forms.CharField(
        label="手机号码", required=False, max_length=20, help_text="留空则使用账号登记的电话"
    )
