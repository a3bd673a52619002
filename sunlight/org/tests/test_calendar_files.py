"""Loading a year's official arrangement from a notice file (JSON or CSV): CLI, page and
service; bad files change nothing and say why."""

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from sunlight.audit.models import AuditEntry
from sunlight.core.errors import PermissionDenied, ValidationFailed
from sunlight.core.workdays import Deadline
from sunlight.org.calendar_files import calendar_year_load_file
from sunlight.org.calendar_selectors import work_calendar
from sunlight.org.calendar_services import calendar_day_set, calendar_seed_from_package
from sunlight.org.models import CalendarDay, CalendarYear
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat

# A 2027 notice in the shape commonly published (the dates are an example arrangement).
NOTICE_2027 = {
    "year": 2027,
    "papers": ["https://www.gov.cn/…"],
    "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
        {"name": "元旦", "date": "2027-01-02", "isOffDay": True},
        {"name": "元旦", "date": "2027-01-03", "isOffDay": True},
        *({"name": "春节", "date": f"2027-02-{d:02d}", "isOffDay": True} for d in range(5, 14)),
        {"name": "春节", "date": "2027-02-20", "isOffDay": False},
        {"name": "国庆节", "date": "2027-10-01", "isOffDay": True},
        {"name": "国庆节", "date": "2027-10-09", "isOffDay": False},
    ],
}
CSV_2027 = "日期,名称,放假\n2027-01-01,元旦,是\n2027-02-08,春节,是\n2027-02-20,春节,否\n"


@pytest.fixture
def seeded():
    calendar_seed_from_package(actor=None)


@pytest.fixture
def admin():
    return org.user("admin", in_region=org.region(), full_name="周管理")


def test_json_notice_replaces_the_year_and_marks_it_loaded(seeded, admin):
    calendar_day_set(actor=admin, day=D("2027-03-01"), kind="holiday", name="试填")
    before = work_calendar().add_workdays(D("2027-02-03"), 3)
    assert before.provisional

    data = json.dumps(NOTICE_2027, ensure_ascii=False).encode()
    result = calendar_year_load_file(actor=admin, data=data, filename="2027.json")

    assert (result.year, result.holidays, result.workdays, result.replaced) == (2027, 13, 2, 1)
    assert not CalendarDay.objects.filter(date=D("2027-03-01")).exists()
    record = CalendarYear.objects.get(year=2027)
    assert (record.status, record.source, record.note) == ("loaded", "file", "导入文件 2027.json")
    calendar = work_calendar()
    assert calendar.is_workday(D("2027-02-20"))  # Saturday make-up workday
    assert not calendar.is_workday(D("2027-02-12"))
    # 3 working days after Wednesday 3 February: Thursday 4, then the break (5-13 February),
    # Monday 15 and Tuesday 16 — now firm.
    assert calendar.add_workdays(D("2027-02-03"), 3) == Deadline(D("2027-02-16"), False)
    entry = AuditEntry.objects.filter(action="org.calendar_year.file_loaded").get()
    recorded = json.loads(entry.data)
    assert recorded["file"] == "2027.json" and len(recorded["sha256"]) == 64


def test_csv_notice_in_gb18030_is_loaded(seeded, admin):
    result = calendar_year_load_file(actor=admin, data=CSV_2027.encode("gb18030"), filename="a.csv")
    assert (result.year, result.holidays, result.workdays) == (2027, 2, 1)
    assert CalendarDay.objects.get(date=D("2027-02-20")).kind == "workday"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件为空"),
        (b"{not json", "不是有效的 JSON"),
        (json.dumps({"year": 2027}).encode(), '应为 {"year"'),
        (json.dumps({"year": 2027, "days": [{"name": "元旦", "date": "2027-13-01",
                                             "isOffDay": True}]}).encode(), "日期“2027-13-01”无效"),
        (json.dumps({"year": 2027, "days": [{"name": "x", "date": "2027-01-05",
                                             "isOffDay": False}]}).encode(), "本来就是工作日"),
        (json.dumps({"year": 2027, "days": [{"name": "", "date": "2027-01-05",
                                             "isOffDay": True}]}).encode(), "须填写节日名称"),
        (json.dumps({"year": 2027, "days": [{"name": "元旦", "date": "2025-01-01",
                                             "isOffDay": True}]}).encode(), "不在2027年的安排"),
        ("日期,名称\n2027-01-01,元旦\n".encode(), "CSV 第1行应为列名"),
        ("日期,名称,放假\n2027-01-01,元旦,也许\n".encode(), "放假一栏“也许”无效"),
    ],
)  # fmt: skip
def test_bad_notice_files_change_nothing(seeded, admin, data, message):
    before = (CalendarDay.objects.count(), CalendarYear.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationFailed) as refused:
        calendar_year_load_file(actor=admin, data=data, filename="bad")
    assert any(message in p.message for p in refused.value.problems), refused.value.problems
    after = (CalendarDay.objects.count(), CalendarYear.objects.count(), AuditEntry.objects.count())
    assert after == before


def test_only_admins_load_notices(seeded):
    clerk = org.user("clerk")
    with pytest.raises(PermissionDenied):
        calendar_year_load_file(actor=clerk, data=CSV_2027.encode(), filename="a.csv")


def test_cli_loads_a_notice(seeded, tmp_path):
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(NOTICE_2027, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("load_calendar", str(path), stdout=out)
    assert out.getvalue() == "已载入2027年放假安排：放假13天，调休上班2天；2027年已标记为已录入\n"


def test_cli_lists_every_problem_and_exits_1(seeded, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("日期,名称,放假\n2027-01-01,元旦,也许\n2027-01-04,x,否\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("load_calendar", str(path), stdout=out)
    assert refused.value.returncode == 1
    assert out.getvalue().splitlines() == [
        "第2行：放假一栏“也许”无效，应为是/否（放假/上班、true/false）",
        "2027-01-04：2027年1月4日（星期一）本来就是工作日，不能设为调休上班",
        "文件：文件中没有2027年的放假日期",
    ]


def test_admin_page_loads_a_notice(seeded, admin, client):
    client.force_login(admin)
    upload = SimpleUploadedFile("2027.csv", CSV_2027.encode(), content_type="text/csv")
    response = client.post(reverse("staff:calendar_load"), {"file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "已载入2027年放假安排：放假2天，调休上班1天" in page


def test_admin_page_shows_the_problems_of_a_bad_file(seeded, admin, client):
    client.force_login(admin)
    upload = SimpleUploadedFile("x.csv", "日期,名称,放假\n2027-01-01,元旦,也许\n".encode())
    response = client.post(reverse("staff:calendar_load"), {"file": upload})
    assert response.status_code == 400
    assert "放假一栏“也许”无效" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()
