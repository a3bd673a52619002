from django.apps import AppConfig


class ApplicantsConfig(AppConfig):
    name = "sunlight.applicants"
    label = "applicants"
    verbose_name = "申请人身份验证"
