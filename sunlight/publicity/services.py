"""Writes of 公示: the requirement per power version, a case's notice (which puts the case on
hold through cases.publicity_hold), objections from the public and their answers, and the
periodic close of windows that have ended. Each checks permission, validates (every problem
at once), writes in one transaction and appends its audit entry on the case, so the notice
and its objections are part of the case's record."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from sunlight.audit.services import audit_record
from sunlight.cases.choices import CaseState, Decision
from sunlight.cases.deadlines import add_limit, local_date
from sunlight.cases.models import Case
from sunlight.cases.publicity_hold import case_publicity_hold, case_publicity_release
from sunlight.cases.services import calendar
from sunlight.catalog.choices import LimitUnit
from sunlight.catalog.models import PowerVersion
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, InvalidTransition, NotFound, ValidationFailed
from sunlight.core.phones import phone_normalise, phone_problem
from sunlight.core.text import clean_line, clean_text, has_visible
from sunlight.org.models import Region
from sunlight.publicity import district_map
from sunlight.publicity.choices import NoticeState, WindowUnit
from sunlight.publicity.models import Objection, PublicityNotice, PublicityRequirement
from sunlight.publicity.permissions import require_case_handler, require_requirement_editor
from sunlight.publicity.selectors import district_outline, publicity_requirement_for

MAX_WINDOW_DAYS = 60
MAX_TITLE = 200
MAX_SUMMARY = 2000
MAX_OBJECTION = 1000
MAX_REPLY = 2000
MAX_NAME = 40
MAX_ADDRESS = 200


def _audit(actor: Any, action: str, case: Case, data: dict[str, Any]) -> None:
    # On the case: the notice and its objections are part of the case's record.
    audit_record(
        actor=actor, action=action, object_type="cases.case", object_id=case.number, data=data
    )


# ---------------------------------------------------------------- requirement


def publicity_requirement_set(
    *, actor: Any, version: PowerVersion, window_days: int, window_unit: str, located: bool
) -> PublicityRequirement:
    """Require 批前公示 of `window_days` for cases of this version accepted from now on."""
    require_requirement_editor(actor, version)
    problems = []
    if not isinstance(window_days, int) or not 1 <= window_days <= MAX_WINDOW_DAYS:
        problems.append(FieldProblem("公示期", f"应为1-{MAX_WINDOW_DAYS}天"))
    if window_unit not in WindowUnit.values:
        problems.append(FieldProblem("公示期单位", "请选择自然日或工作日"))
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        requirement, _ = PublicityRequirement.objects.update_or_create(
            power_version=version,
            defaults={"window_days": window_days, "window_unit": window_unit,
                      "located": bool(located), "set_by": _user(actor), "set_at": clock.now()},
        )  # fmt: skip
        audit_record(
            actor=actor, action="publicity.requirement.set", object_type="catalog.powerversion",
            object_id=version.pk,
            data={"item": version.item.code, "window_days": window_days,
                  "window_unit": window_unit, "located": bool(located)},
        )  # fmt: skip
    return requirement


# ---------------------------------------------------------------- notice


@dataclass(frozen=True)
class NoticeInput:
    """What the handler writes for the public (text as typed; checked by publicity_start)."""

    title: str
    summary: str
    district_code: str = ""
    address: str = ""
    longitude: str = ""
    latitude: str = ""


@dataclass(frozen=True)
class _Location:
    district: Region | None
    address: str
    longitude: Decimal | None
    latitude: Decimal | None


def _decimal(value: str) -> Decimal | None:
    try:
        number = Decimal((value or "").strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _location_problems(case: Case, data: NoticeInput, located: bool) -> tuple[_Location, list]:
    problems: list[FieldProblem] = []
    district = None
    code = (data.district_code or "").strip()
    if code:
        # A district of the case's own city (GB/T 2260: the same first four digits).
        district = Region.objects.filter(code=code, code__startswith=case.region_code[:4]).first()
        if district is None or district.code.endswith("00"):
            problems.append(FieldProblem("所在区县", "请选择本市的区县"))
            district = None
    elif located:
        problems.append(FieldProblem("所在区县", "该事项须标注项目位置：请选择所在区县"))
    address = clean_line(data.address)
    if len(address) > MAX_ADDRESS:
        problems.append(FieldProblem("项目地址", f"不能超过{MAX_ADDRESS}字"))
    lon_text, lat_text = (data.longitude or "").strip(), (data.latitude or "").strip()
    longitude = latitude = None
    if lon_text or lat_text:
        longitude, latitude = _decimal(lon_text), _decimal(lat_text)
        if longitude is None or latitude is None:
            problems.append(FieldProblem("坐标", "经度和纬度须同时填写，为数字（如 119.95）"))
        elif not (73 <= longitude <= 136 and 3 <= latitude <= 54):
            problems.append(FieldProblem("坐标", "坐标不在我国境内，请检查经纬度是否填反"))
        elif (
            district is not None
            and (outline := district_outline(district.code)) is not None
            and not district_map.contains(outline, (float(longitude), float(latitude)))
        ):
            problems.append(FieldProblem("坐标", f"坐标不在{district.name}范围内"))
        longitude = round(longitude, 6) if longitude is not None else None
        latitude = round(latitude, 6) if latitude is not None else None
    if located and district is not None and not address and longitude is None:
        problems.append(FieldProblem("项目地址", "请填写项目地址或坐标"))
    return _Location(district, address, longitude, latitude), problems


def publicity_start(*, actor: Any, case: Case, data: NoticeInput) -> PublicityNotice:
    """Put the case to the public for its power's window; the case waits (公示中) until the
    window ends, when publicity_windows_close returns it to work."""
    require_case_handler(actor, case)
    requirement = publicity_requirement_for(case.power_version)
    if requirement is None:
        raise InvalidTransition("该事项不需要批前公示")
    if PublicityNotice.objects.filter(case=case).exists():
        raise InvalidTransition("该办件已发布过批前公示")
    problems = []
    title = clean_line(data.title)
    if not has_visible(title):
        problems.append(FieldProblem("公示项目", "请填写公示项目名称"))
    elif len(title) > MAX_TITLE:
        problems.append(FieldProblem("公示项目", f"不能超过{MAX_TITLE}字"))
    summary = clean_text(data.summary)
    if not has_visible(summary):
        problems.append(FieldProblem("公示内容", "请填写公示内容（空格和不可见字符不算内容）"))
    elif len(summary) > MAX_SUMMARY:
        too_long = f"不能超过{MAX_SUMMARY}字（现为{len(summary)}字）"
        problems.append(FieldProblem("公示内容", too_long))
    location, location_problems = _location_problems(case, data, requirement.located)
    problems += location_problems
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    unit = (
        LimitUnit.WORKING_DAY
        if requirement.window_unit == WindowUnit.WORKING_DAY
        else LimitUnit.NATURAL_DAY
    )
    # Counted like a limit: from the day after publication, to the end of the last day.
    due = add_limit(calendar(), start=local_date(now), limit=requirement.window_days, unit=unit)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        notice = PublicityNotice.objects.create(
            case=case, title=title, summary=summary, window_days=requirement.window_days,
            window_unit=requirement.window_unit, starts_at=now, ends_at=due.moment,
            district=location.district, address=location.address,
            longitude=location.longitude, latitude=location.latitude,
            published_by=_user(actor),
        )  # fmt: skip
        case_publicity_hold(
            actor=actor, case=case, reason=f"批前公示：{title}",
            window_days=requirement.window_days,
        )  # fmt: skip
        _audit(actor, "publicity.notice.published", case,
               {"notice": notice.pk, "title": title, "ends_at": due.moment.isoformat(),
                "district": location.district.code if location.district else ""})  # fmt: skip
    return notice


# ---------------------------------------------------------------- objections


def objection_submit(*, notice_id: int, text: str, name: str = "", contact: str = "") -> Objection:
    """An objection from anyone while the window is open (the view counts it against the
    client's rate limit first). Text must say something; name and phone are optional."""
    problems = []
    body = clean_text(text)
    if not has_visible(body):
        problems.append(FieldProblem("异议内容", "请写明异议内容（空格和不可见字符不算内容）"))
    elif len(body) > MAX_OBJECTION:
        problems.append(FieldProblem("异议内容", f"不能超过{MAX_OBJECTION}字（现为{len(body)}字）"))
    person = clean_line(name)
    if len(person) > MAX_NAME:
        problems.append(FieldProblem("姓名", f"不能超过{MAX_NAME}字"))
    if problem := phone_problem(contact):
        problems.append(FieldProblem("联系电话", problem))
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    with transaction.atomic():
        notice = (
            PublicityNotice.objects.select_for_update().select_related("case").filter(pk=notice_id)
        ).first()
        if notice is None:
            raise NotFound("公示不存在")
        if notice.state != NoticeState.OPEN or now >= notice.ends_at:
            raise InvalidTransition("公示期已结束，不再受理异议")
        objection = Objection.objects.create(
            notice=notice, text=body, name=person,
            contact=phone_normalise(contact) if has_visible(contact) else "", submitted_at=now,
        )  # fmt: skip
        # The objector's name and phone stay in the table, not in the chain's data.
        _audit(None, "publicity.objection.received", notice.case,
               {"notice": notice.pk, "objection": objection.pk, "text": body})  # fmt: skip
    return objection


def objection_answer(*, actor: Any, objection_id: int, reply: str) -> Objection:
    objection = (
        Objection.objects.select_related("notice__case__department").filter(pk=objection_id)
    ).first()
    if objection is None:
        raise NotFound("异议不存在或无权查看")
    case = objection.notice.case
    require_case_handler(actor, case)
    answer = clean_text(reply)
    if not has_visible(answer):
        raise ValidationFailed([FieldProblem("答复", "请填写答复内容（空格和不可见字符不算内容）")])
    if len(answer) > MAX_REPLY:
        raise ValidationFailed([FieldProblem("答复", f"不能超过{MAX_REPLY}字")])
    now = clock.now()
    with transaction.atomic():
        moved = Objection.objects.filter(pk=objection.pk, answered_at__isnull=True).update(
            reply=answer, answered_at=now, answered_by=_user(actor)
        )
        if not moved:
            raise InvalidTransition("该异议已答复（可能已被他人处理）")
        _audit(actor, "publicity.objection.answered", case,
               {"objection": objection.pk, "reply": answer})  # fmt: skip
    objection.reply, objection.answered_at = answer, now
    return objection


# ---------------------------------------------------------------- the clock


def publicity_windows_close() -> int:
    """Close every window that has ended and return its case to work (the periodic job; safe
    to run twice at once: the state moves open → closed by compare-and-swap)."""
    now = clock.now()
    due = list(
        PublicityNotice.objects.filter(state=NoticeState.OPEN, ends_at__lte=now)
        .order_by("ends_at", "id")
        .values_list("pk", flat=True)
    )
    closed = 0
    for notice_id in due:
        with transaction.atomic():
            moved = PublicityNotice.objects.filter(pk=notice_id, state=NoticeState.OPEN).update(
                state=NoticeState.CLOSED, closed_at=now
            )
            if not moved:
                continue
            notice = PublicityNotice.objects.select_related("case__power_version").get(pk=notice_id)
            case = Case.objects.select_for_update().get(pk=notice.case_id)
            if case.state == CaseState.PUBLICITY:
                case_publicity_release(actor=None, case=case)
            counts = notice.objections.aggregate(
                total=Count("id"), pending=Count("id", filter=Q(answered_at__isnull=True))
            )
            _audit(None, "publicity.notice.closed", case, {"notice": notice_id, **counts})
            closed += 1
    return closed


# ---------------------------------------------------------------- 办结 check


def conclude_problems(case: Any, decision: str) -> list[FieldProblem]:
    """Registered with cases: no 办结 while the window is open or an objection is unanswered;
    no 准予 without the 批前公示 the power required when the case was accepted."""
    notice = PublicityNotice.objects.filter(case_id=case.pk).first()
    if notice is None:
        requirement = publicity_requirement_for(case.power_version)
        if (
            requirement is not None
            and decision == Decision.GRANTED
            and case.accepted_at is not None
            and requirement.set_at <= case.accepted_at
        ):
            return [FieldProblem("批前公示", "该事项须经批前公示后方可准予，请先发布批前公示")]
        return []
    if notice.state == NoticeState.OPEN:
        return [FieldProblem("批前公示", "公示期未满，不能办结")]
    pending = notice.objections.filter(answered_at__isnull=True).count()
    if pending:
        return [FieldProblem("公示异议", f"尚有{pending}条公示异议未答复，请先答复")]
    return []


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None
