"""办件通知模板: platform admins edit the wording of each notice to applicants. One form per
event; a refused save shows every problem beside its text and keeps what was typed."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sunlight.core.errors import ValidationFailed
from sunlight.notifications.applicant_events import ApplicantEvent
from sunlight.notifications.notice_templates import notice_template_save, notice_templates
from sunlight.org.decorators import org_admin_required
from sunlight.org.forms import StaffForm, apply_problems

PROBLEM_FIELDS = {"短信内容": "sms_text", "邮件标题": "email_subject", "邮件正文": "email_body"}


class NoticeTemplateForm(StaffForm):
    sms_text = forms.CharField(label="短信内容", widget=forms.Textarea(attrs={"rows": 3}))
    email_subject = forms.CharField(label="邮件标题", max_length=200)
    email_body = forms.CharField(label="邮件正文", widget=forms.Textarea(attrs={"rows": 6}))


@org_admin_required
def notice_template_list(request: HttpRequest) -> HttpResponse:
    views = notice_templates()
    bound_event = request.POST.get("event") if request.method == "POST" else None
    status = 200
    rows = []
    for view in views:
        if view.event == bound_event:
            form = NoticeTemplateForm(request.POST, prefix=view.event)
            if form.is_valid():
                try:
                    notice_template_save(actor=request.user, event=view.event, **form.cleaned_data)
                except ValidationFailed as exc:
                    apply_problems(form, exc.problems, PROBLEM_FIELDS)
                else:
                    messages.success(request, f"已保存“{view.label}”通知模板")
                    return redirect("notifications:notice_templates")
            status = 400
        else:
            form = NoticeTemplateForm(
                prefix=view.event,
                initial={
                    "sms_text": view.text.sms,
                    "email_subject": view.text.email_subject,
                    "email_body": view.text.email_body,
                },
            )
        rows.append({"view": view, "form": form})
    if bound_event and bound_event not in ApplicantEvent.values:
        messages.error(request, "未知的通知事件")
        status = 400
    return render(request, "notifications/notice_templates.html", {"rows": rows}, status=status)
