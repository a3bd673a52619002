"""The demo logins, printed as a table a person can copy from."""

import unicodedata

from sunlight.demo import city
from sunlight.org.choices import Role
from sunlight.org.models import User

FEATURED = [
    (Role.CLERK, "zjj_clerk"),
    (Role.APPROVER, "zjj_head"),
    (Role.LEGAL, "sfj_legal"),
    (Role.SUPERVISOR, "jw_supervisor"),
    (Role.ADMIN, "admin"),
]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def login_table() -> str:
    """One login per role, with the shared password, as aligned text lines."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[name for _, name in FEATURED]).select_related(
            "department", "section", "region"
        )
    }
    rows = [("角色", "用户名", "密码", "姓名", "所属单位")]
    for role, username in FEATURED:
        user = users.get(username)
        if user is None:
            continue
        unit = (
            user.department.name if user.department else (user.region.name if user.region else "")
        )
        if user.section:
            unit += f" · {user.section.name}"
        rows.append((Role(role).label, username, city.DEMO_PASSWORD, user.full_name, unit))
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["演示账号（工作人员入口 /staff/login/，所有账号密码相同）"]
    for index, row in enumerate(rows):
        lines.append("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append(
        "平台管理员、纪检监察账号登录时还要两步验证码：运行 sunlight demo code 用户名 获取"
        "（如 sunlight demo code admin），或把 sunlight demo code 用户名 --secret 显示的密钥"
        "加入手机验证器应用。"
    )
    lines.append(
        "其他部门账号：部门拼音缩写 + _clerk / _head，"
        "如 scjgj_clerk（市场监管局）、gaj_head（公安局）；\n"
        "区县部门加区县前缀，如 qyq_zjj_clerk（清源区住建局）。"
    )
    example = lookup_example()
    if example:
        lines += ["", example]
    return "\n".join(lines)


def lookup_example() -> str:
    """One case to try the public progress lookup with: a natural person's case in progress
    (else any), the same one on every run."""
    from sunlight.cases.choices import ApplicantKind, CaseState
    from sunlight.cases.models import Case

    cases = Case.objects.filter(joint_parent__isnull=True).order_by("number")
    case = (
        cases.filter(state=CaseState.IN_PROGRESS, applicant_kind=ApplicantKind.PERSON).first()
        or cases.first()
    )
    if case is None:
        return ""
    return (
        f"办件进度查询（公众入口 /progress/，无需登录）：办件编号 {case.number}  "
        f"查询码 {case.query_code}"
    )
