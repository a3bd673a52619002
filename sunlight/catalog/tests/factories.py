"""Power drafts and items built through the real catalog services."""

from itertools import count
from typing import Any

from sunlight.catalog import services
from sunlight.catalog.choices import TransitionAction
from sunlight.catalog.drafts import DutyDraft, LegalBasisDraft, MaterialDraft, PowerDraft
from sunlight.catalog.models import PowerItem
from sunlight.org.models import Department

_sequence = count(1)


def draft(*, department: Department | None = None, **overrides: Any) -> PowerDraft:
    number = next(_sequence)
    prefix = department.full_code if department is not None else "338500001"
    values: dict[str, Any] = {
        "code": f"{prefix}01{number:05d}",
        "name": f"测试许可事项{number}",
        "category": "01",
        "implementing_body": department.name if department is not None else "清源市测试局",
        "statutory_limit": 20,
        "promised_limit": 10,
        "service_objects": ["1", "2"],
        "handling_forms": ["1", "2"],
        "contact_phone": "0571-87000000",
        "supervision_phone": "0571-87000001",
        "legal_bases": [
            LegalBasisDraft("中华人民共和国行政许可法", "第十二条", "下列事项可以设定行政许可")
        ],
        "materials": [
            MaterialDraft("申请书", mandatory=True, originals=1, copies=0),
            MaterialDraft("营业执照", mandatory=False, originals=0, copies=1),
        ],
        "duties": [DutyDraft("受理", "依法受理申请", "不依法受理的，追究责任")],
    }
    values.update(overrides)
    return PowerDraft(**values)


def item(*, department: Department, actor: Any = None, **overrides: Any) -> PowerItem:
    return services.power_item_create(
        actor=actor, department=department, draft=draft(department=department, **overrides)
    )


def published_item(*, department: Department, **overrides: Any) -> PowerItem:
    """An item taken through the whole review by the system actor."""
    created = item(department=department, **overrides)
    for action, opinion in (
        (TransitionAction.SUBMIT, ""),
        (TransitionAction.SIGN_OFF, "同意"),
        (TransitionAction.LEGAL_APPROVE, "合法"),
        (TransitionAction.PUBLISH, ""),
    ):
        created.refresh_from_db()
        services.power_version_transition(
            actor=None, version=created.working_version, action=action, opinion=opinion
        )
    created.refresh_from_db()
    return created
