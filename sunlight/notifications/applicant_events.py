"""The events an applicant is told about (办件通知), the placeholders each template may use, and
the wording used until an admin edits it. Pure data: the cases app fills the placeholders."""

import string
from dataclasses import dataclass

from django.db import models


class ApplicantEvent(models.TextChoices):
    RECEIVED = "received", "收件"
    ACCEPTED = "accepted", "受理"
    CORRECTION = "correction", "补正告知"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    SPECIAL_START = "special_start", "特别程序开始"
    SPECIAL_END = "special_end", "特别程序结束"
    EXTENDED = "extended", "延长办理期限"
    CONCLUDED = "concluded", "办结"


COMMON = ("办件编号", "事项名称", "申请人", "办理部门", "咨询电话", "查询链接", "查询码")
EXTRA: dict[str, tuple[str, ...]] = {
    ApplicantEvent.RECEIVED: (),
    ApplicantEvent.ACCEPTED: ("承诺期限", "法定期限"),
    ApplicantEvent.CORRECTION: ("补正材料",),
    ApplicantEvent.NOT_ACCEPTED: ("不予受理理由",),
    ApplicantEvent.SPECIAL_START: ("特别程序", "程序时限"),
    ApplicantEvent.SPECIAL_END: ("特别程序", "承诺期限"),
    ApplicantEvent.EXTENDED: ("延长天数", "承诺期限", "法定期限"),
    ApplicantEvent.CONCLUDED: ("办理结果", "取件方式"),
}


def placeholders(event: str) -> tuple[str, ...]:
    return COMMON + EXTRA.get(event, ())


@dataclass(frozen=True)
class DefaultText:
    sms: str
    email_subject: str
    email_body: str


_TAIL = "查询进度：{查询链接}"
DEFAULTS: dict[str, DefaultText] = {
    ApplicantEvent.RECEIVED: DefaultText(
        "【阳光政务】{申请人}，您申请的“{事项名称}”已收件，办件编号{办件编号}，查询码{查询码}。"
        + _TAIL,
        "您的申请已收件：{事项名称}",
        "{申请人}：\n\n您申请的“{事项名称}”已由{办理部门}收件。\n办件编号：{办件编号}\n"
        "查询码：{查询码}\n\n部门受理后开始计算办理时限。" + _TAIL,
    ),
    ApplicantEvent.ACCEPTED: DefaultText(
        "【阳光政务】您的办件{办件编号}（{事项名称}）已受理，承诺{承诺期限}前办结。" + _TAIL,
        "您的申请已受理：{事项名称}",
        "{申请人}：\n\n您申请的“{事项名称}”（办件编号{办件编号}）已由{办理部门}受理，"
        "承诺{承诺期限}前办结（法定期限{法定期限}）。\n" + _TAIL,
    ),
    ApplicantEvent.CORRECTION: DefaultText(
        "【阳光政务】您的办件{办件编号}需补正材料：{补正材料}。可在线上传或到窗口补交。" + _TAIL,
        "请补正材料：{事项名称}",
        "{申请人}：\n\n您申请的“{事项名称}”（办件编号{办件编号}）需要补正以下材料：\n{补正材料}\n\n"
        "请在进度查询页面在线上传，或携带材料到{办理部门}窗口补交。补正期间不计入办理时限。\n"
        + _TAIL,
    ),
    ApplicantEvent.NOT_ACCEPTED: DefaultText(
        "【阳光政务】您的办件{办件编号}（{事项名称}）不予受理，理由：{不予受理理由}。"
        "如有疑问请致电{咨询电话}。",
        "不予受理告知：{事项名称}",
        "{申请人}：\n\n您申请的“{事项名称}”（办件编号{办件编号}）经{办理部门}审查，不予受理。\n"
        "理由：{不予受理理由}\n\n如有疑问请致电{咨询电话}。" + _TAIL,
    ),
    ApplicantEvent.SPECIAL_START: DefaultText(
        "【阳光政务】您的办件{办件编号}进入{特别程序}程序，{程序时限}，该期间不计入办理时限。"
        + _TAIL,
        "办件进入特别程序：{事项名称}",
        "{申请人}：\n\n您申请的“{事项名称}”（办件编号{办件编号}）进入{特别程序}程序，"
        "{程序时限}。该期间不计入办理时限。\n" + _TAIL,
    ),
    ApplicantEvent.SPECIAL_END: DefaultText(
        "【阳光政务】您的办件{办件编号}{特别程序}程序已结束，恢复计时，承诺{承诺期限}前办结。"
        + _TAIL,
        "特别程序结束：{事项名称}",
        "{申请人}：\n\n您申请的“{事项名称}”（办件编号{办件编号}）{特别程序}程序已结束，"
        "恢复计算办理时限，承诺{承诺期限}前办结。\n" + _TAIL,
    ),
    ApplicantEvent.EXTENDED: DefaultText(
        "【阳光政务】您的办件{办件编号}经批准延长办理期限{延长天数}天，"
        "承诺{承诺期限}前办结。" + _TAIL,
        "延长办理期限告知：{事项名称}",
        "{申请人}：\n\n您申请的“{事项名称}”（办件编号{办件编号}）经{办理部门}负责人批准延长办理期限"
        "{延长天数}天，承诺{承诺期限}前办结（法定期限{法定期限}）。\n" + _TAIL,
    ),
    ApplicantEvent.CONCLUDED: DefaultText(
        "【阳光政务】您的办件{办件编号}（{事项名称}）已办结：{办理结果}。{取件方式}",
        "办结告知：{事项名称}",
        "{申请人}：\n\n您申请的“{事项名称}”（办件编号{办件编号}）已办结。\n办理结果：{办理结果}\n"
        "{取件方式}\n" + _TAIL,
    ),
}

SMS_MAX = 300


def template_problems(event: str, text: str, *, field: str, limit: int) -> list[str]:
    """Every problem of one template text: empty, too long, broken braces, a placeholder the
    event does not have, or anything but a plain {名称} (no attributes, indexes or formats)."""
    if not text.strip():
        return [f"{field}不能为空"]
    problems = []
    if len(text) > limit:
        problems.append(f"{field}不能超过{limit}字（现为{len(text)}字）")
    allowed = placeholders(event)
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return problems + [
            f"{field}的花括号不配对：占位符写作 {{名称}}，字面的花括号写作 {{{{ 和 }}}}"
        ]
    unknown = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion or not name or "." in name or "[" in name:
            problems.append(f"{field}的占位符“{{{name}}}”写法不对：只能写 {{名称}}")
        elif name not in allowed:
            unknown.append(name)
    if unknown:
        problems.append(
            f"{field}含有本通知不支持的占位符：{'、'.join(dict.fromkeys(unknown))}；"
            f"可用的有：{'、'.join(allowed)}"
        )
    return problems


def render_text(text: str, values: dict[str, str]) -> str:
    """Fill a validated template (a placeholder without a value stays visible, never raises)."""

    class _Keep(dict):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    return string.Formatter().vformat(text, (), _Keep(values))
