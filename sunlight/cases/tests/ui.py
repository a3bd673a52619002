"""Shared helpers for the case page tests (test_views, test_case_page)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sunlight.cases.choices import StepState
from sunlight.cases.tests import factories
from sunlight.cases.tests.sample_files import minimal_pdf

PDF = minimal_pdf()


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf(name="申请书.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def detail_url(case):
    return reverse("cases:detail", args=[case.number])


def act_url(case, action):
    return reverse("cases:act", args=[case.number, action])


def step_act_url(step, action):
    return reverse("cases:step_act", args=[step.case.number, step.pk, action])


def open_step(case, name):
    return case.steps.get(name=name, state=StepState.OPEN)


def applicant_post(prefix="applicant", **overrides):
    data = {
        f"{prefix}-kind": "person",
        f"{prefix}-name": "张三",
        f"{prefix}-id_number": factories.resident_id(),
        f"{prefix}-phone": "13800000000",
        f"{prefix}-address": "清源市人民路1号",
    }
    data.update({f"{prefix}-{k}": v for k, v in overrides.items()})
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def online_materials(first: str = "upload", second: str = "none") -> dict[str, str]:
    """How the online applicant provides the test power's two materials (申请书 required,
    营业执照 optional): upload, window, deferred or none."""
    return {"materials-m0_how": first, "materials-m1_how": second}
