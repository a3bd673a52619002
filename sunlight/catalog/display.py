"""Readable Chinese for staff pages: a version's fields as label/value pairs, and the timeline
of transitions with status names. Templates escape every value."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sunlight.catalog.choices import (
    HandlingForm,
    ItemStatus,
    ServiceObject,
    TransitionAction,
    VersionStatus,
)
from sunlight.catalog.drafts import LABELS
from sunlight.catalog.models import PowerVersion, Transition
from sunlight.catalog.services import ITEM_RULES

# Button texts; TransitionAction labels read as past events ("取消" alone reads as "cancel").
ACTION_BUTTONS = {
    TransitionAction.SUBMIT: "提交审核",
    TransitionAction.SIGN_OFF: "签发",
    TransitionAction.DEPT_RETURN: "退回修改",
    TransitionAction.LEGAL_APPROVE: "法制审核通过",
    TransitionAction.LEGAL_RETURN: "法制审核退回",
    TransitionAction.PUBLISH: "发布",
    TransitionAction.SUSPEND: "暂停（挂起）",
    TransitionAction.RESUME: "恢复",
    TransitionAction.REVOKE: "取消该事项",
}


# Success messages after an action.
ACTION_DONE = {
    TransitionAction.SUBMIT: "已提交，等待部门负责人签发",
    TransitionAction.SIGN_OFF: "已签发，转法制机构审核",
    TransitionAction.DEPT_RETURN: "已退回经办人员修改",
    TransitionAction.LEGAL_APPROVE: "法制审核已通过，等待发布",
    TransitionAction.LEGAL_RETURN: "已退回部门修改",
    TransitionAction.PUBLISH: "已发布",
    TransitionAction.SUSPEND: "已暂停",
    TransitionAction.RESUME: "已恢复",
    TransitionAction.REVOKE: "已取消该事项",
}


def _codes(value: str, choices: type[ServiceObject] | type[HandlingForm]) -> str:
    labels = dict(choices.choices)
    return "、".join(labels.get(code, code) for code in value.split(",") if code)


def version_gaps(version: PowerVersion | None) -> list[str]:
    """What a draft lacks before it can be submitted (an incomplete draft from a list)."""
    if version is None or version.status != "draft":
        return []
    gaps = []
    if version.statutory_limit is None:
        gaps.append(LABELS["statutory_limit"])
    if not version.legal_bases.exists():
        gaps.append(LABELS["legal_bases"])
    if version.charges_fee and not version.fee_basis.strip():
        gaps.append(LABELS["fee_basis"])
    return gaps


def _limit(amount: int | None, unit_label: str) -> str:
    return "—" if amount is None else f"{amount}{unit_label}"


def version_fields(version: PowerVersion) -> list[tuple[str, str]]:
    """Every content field of a version, in the order of the form."""
    fields = [
        (LABELS["code"], version.item.code),
        (LABELS["name"], version.name),
        (LABELS["sub_item_name"], version.sub_item_name or "—"),
        (LABELS["category"], f"{version.category} {version.get_category_display()}"),
        (LABELS["implementing_body"], version.implementing_body),
        (LABELS["body_nature"], version.get_body_nature_display()),
        (
            LABELS["handling_section_name"],
            str(version.handling_section.name) if version.handling_section else "—",
        ),
        (LABELS["exercise_level"], version.get_exercise_level_display()),
        (LABELS["service_objects"], _codes(version.service_objects, ServiceObject)),
        (LABELS["handling_forms"], _codes(version.handling_forms, HandlingForm)),
        (LABELS["case_type"], version.get_case_type_display()),
        (
            LABELS["statutory_limit"],
            _limit(version.statutory_limit, version.get_statutory_limit_unit_display()),
        ),
        (
            LABELS["promised_limit"],
            _limit(version.promised_limit, version.get_promised_limit_unit_display()),
        ),
        (
            "延长审批",
            f"每次至多{version.extension_limit_days}天，至多{version.extension_times}次"
            if version.extension_times
            else "不可延长",
        ),
        (LABELS["charges_fee"], "收费" if version.charges_fee else "不收费"),
        (LABELS["fee_basis"], version.fee_basis or "—"),
        (LABELS["fee_standard"], version.fee_standard or "—"),
        (LABELS["conditions"], version.conditions or "—"),
        (LABELS["important"], "重要" if version.important else "非重要"),
        (LABELS["disclosure_form"], version.get_disclosure_form_display()),
        (LABELS["disclosure_scope"], version.get_disclosure_scope_display()),
        (LABELS["disclosure_frequency"], version.get_disclosure_frequency_display()),
        (LABELS["contact_phone"], version.contact_phone or "—"),
        (LABELS["supervision_phone"], version.supervision_phone or "—"),
    ]
    if version.change_reason:
        fields.append((LABELS["change_reason"], version.change_reason))
    return fields


@dataclass(frozen=True)
class TimelineRow:
    at: datetime
    actor: str
    action: str
    from_label: str
    to_label: str
    opinion: str
    version_number: int | None


_VERSION_LABELS = dict(VersionStatus.choices)
_ITEM_LABELS = dict(ItemStatus.choices)


def _status_label(action: str, status: str) -> str:
    if not status:
        return ""
    # Suspend/resume/revoke move the item, every other action moves a version.
    labels = _ITEM_LABELS if action in ITEM_RULES else _VERSION_LABELS
    return labels.get(status, status)


def timeline(transitions: Iterable[Transition]) -> list[TimelineRow]:
    action_labels = dict(TransitionAction.choices)
    return [
        TimelineRow(
            at=t.at,
            actor=t.actor_name,
            action=action_labels.get(t.action, t.action),
            from_label=_status_label(t.action, t.from_status),
            to_label=_status_label(t.action, t.to_status),
            opinion=t.opinion,
            version_number=t.version.number if t.version_id else None,
        )
        for t in transitions
    ]
