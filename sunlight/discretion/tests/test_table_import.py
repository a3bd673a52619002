"""A bureau's whole table imported at once: matched to its penalty powers, written into their
benchmark drafts through the services, the unmatched kept for an officer to assign; all or
nothing unless good rows only; a dry run writes nothing; the CLI with --json and --dry-run;
and our own export read back gives the same content."""

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from sunlight.audit.models import AuditEntry
from sunlight.catalog.drafts import LegalBasisDraft
from sunlight.catalog.tests import factories as catalog_factories
from sunlight.core.errors import NotFound, PermissionDenied, ValidationFailed
from sunlight.discretion.choices import AmountMode, BenchmarkAction, PenaltyKind
from sunlight.discretion.drafts import (
    BenchmarkDraft,
    PenaltyDraft,
    TierDraft,
    ViolationDraft,
    draft_normalised,
)
from sunlight.discretion.imports import benchmark_read_upload
from sunlight.discretion.models import Benchmark, UnassignedViolation
from sunlight.discretion.power_match import (
    article_number,
    basis_pairs,
    best_match,
    candidate,
    law_key,
    name_key,
)
from sunlight.discretion.selectors import version_draft
from sunlight.discretion.services import benchmark_create, benchmark_version_transition
from sunlight.discretion.spreadsheet import benchmark_workbook
from sunlight.discretion.table_import import discretion_table_import, unassigned_assign
from sunlight.discretion.tests import tables
from sunlight.org.tests import factories as org_factories

D = Decimal


# ---------------------------------------------------------------- matching (pure)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("中华人民共和国食品安全法", "食品安全法"),
        ("《中华人民共和国食品安全法（2021年修正）》", "食品安全法"),
        ("企业信息公示暂行条例", "企业信息公示暂行条例"),
    ],
)
def test_law_names_compare_without_title_marks_and_notes(text, key):
    assert law_key(text) == key


@pytest.mark.parametrize(
    ("text", "number"),
    [("第一百二十三条第一款", "123"), ("第123条", "123"), ("第十八条", "18"), ("", "")],
)
def test_articles_compare_as_numbers(text, number):
    assert article_number(text) == number


def test_a_basis_cites_each_article_under_its_law():
    text = "《中华人民共和国食品安全法》第一百二十三条、第124条；《广告法》第五十五条"
    assert basis_pairs(text) == {("食品安全法", "123"), ("食品安全法", "124"), ("广告法", "55")}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("对用非食品原料生产食品的行政处罚", "用非食品原料生产食品"),
        ("对未按规定建立进货查验记录的行为的处罚", "未按规定建立进货查验记录"),
        ("用非食品原料生产食品", "用非食品原料生产食品"),
        ("对未取得许可证核发的处罚", "未取得许可证"),
    ],
)
def test_names_compare_without_what_a_power_adds_around_them(text, key):
    assert name_key(text) == key


def test_ties_and_weak_likenesses_go_to_the_officer():
    one = candidate(1, "A", "对甲的处罚", [("中华人民共和国食品安全法", "第一百二十三条")])
    two = candidate(2, "B", "对乙的处罚", [("中华人民共和国食品安全法", "第一百二十三条")])
    law_only = "《中华人民共和国食品安全法》第九十九条"

    assert best_match([one, two], name="丙", basis="《食品安全法》第一百二十三条").power is None
    assert best_match([one, two], name="甲", basis="《食品安全法》第一百二十三条").power == one
    assert best_match([one], name="丙", basis=law_only).power is None
    assert best_match([one, two], name="丙", basis=law_only, hint="B").power == two


# ---------------------------------------------------------------- the bureau


class Bureau:
    def __init__(self):
        self.region = org_factories.region()
        self.department = org_factories.department(
            code="101", name="清源市市场监督管理局", in_region=self.region
        )
        self.legal = org_factories.user("legal", in_region=self.region, full_name="赵法制")
        self.powers = {}
        for number, (key, name, law, article) in enumerate(
            [
                (
                    "food",
                    "对用非食品原料生产食品的行政处罚",
                    "中华人民共和国食品安全法",
                    "第一百二十三条",
                ),
                (
                    "records",
                    "对未按规定建立进货查验记录的行政处罚",
                    "中华人民共和国食品安全法",
                    "第一百二十六条",
                ),
                ("reports", "对企业未按规定公示年度报告的处罚", "企业信息公示暂行条例", "第十八条"),
                (
                    "works",
                    "对建设项目未依法报批环境影响评价文件的处罚",
                    "中华人民共和国环境影响评价法",
                    "第三十一条",
                ),
                (
                    "labels",
                    "对生产经营标签不符合规定的食品的处罚",
                    "中华人民共和国食品安全法",
                    "第一百二十五条",
                ),
            ],
            start=1,
        ):
            self.powers[key] = catalog_factories.published_item(
                department=self.department,
                code=f"{self.department.full_code}02{number:05d}",
                name=name,
                category="02",
                legal_bases=[LegalBasisDraft(law, article)],
            )

    def benchmark(self, key):
        return Benchmark.objects.get(power_item=self.powers[key], region=self.region)

    def content(self, key):
        return version_draft(self.benchmark(key).working_version)


@pytest.fixture
def bureau(db):
    return Bureau()


def _table(fmt="xlsx", sheet=None):
    return tables.FORMATS[fmt]([sheet or tables.bureau_sheet()])


@pytest.mark.parametrize("fmt", ["xls", "csv"])
def test_a_whole_table_lands_in_each_powers_benchmark(bureau, fmt):
    report = discretion_table_import(
        actor=bureau.legal,
        department=bureau.department,
        file=_table(fmt),
        filename=f"市场监管裁量基准.{fmt}",
    )

    assert report.problems == [] and report.written
    assert (report.violations, report.tiers, report.penalties) == (5, 23, 27)
    assert {landing.code[-1]: landing.violations for landing in report.landings} == {
        "1": 1,
        "2": 1,
        "3": 1,
        "4": 1,
    }
    food = bureau.content("food").violations
    assert [v.name for v in food] == ["用非食品原料生产食品"]
    assert food[0].notes == "货值金额不足一万元的，按一万元计算"
    assert len(bureau.content("records").violations[0].tiers) == 5
    assert len(bureau.content("reports").violations[0].tiers) == 12
    works = bureau.content("works").violations[0]
    assert works.tiers[1].penalties[0].mode == AmountMode.TEXT
    assert [place.split("!")[1] for place in report.flagged] == ["G28"]  # kept, to settle
    assert not Benchmark.objects.filter(power_item=bureau.powers["labels"]).exists()
    (waiting,) = UnassignedViolation.objects.all()
    assert waiting.name == "发布虚假广告" and waiting.assigned_at is None
    assert [row["name"] for row in report.unmatched] == ["发布虚假广告"]
    assert AuditEntry.objects.filter(action="discretion.table.imported").count() == 1


def test_a_dry_run_reports_the_same_and_writes_nothing(bureau):
    report = discretion_table_import(
        actor=bureau.legal, department=bureau.department, file=_table(), dry_run=True
    )

    assert (report.violations, report.tiers, report.penalties) == (5, 23, 27)
    assert len(report.landings) == 4 and len(report.unmatched) == 1
    assert not report.written
    assert not Benchmark.objects.exists() and not UnassignedViolation.objects.exists()


def _with_a_bad_row():
    sheet = tables.bureau_sheet()
    sheet.put(9, 6, "处十万元以上五万元以下罚款")  # lower above upper, row 10
    return sheet


def test_one_bad_row_writes_nothing(bureau):
    report = discretion_table_import(
        actor=bureau.legal, department=bureau.department, file=_table(sheet=_with_a_bad_row())
    )

    assert report.refused
    assert [p.address for p in report.problems] == ["裁量基准汇总!G10"]
    assert not Benchmark.objects.exists() and not UnassignedViolation.objects.exists()


def test_good_rows_only_writes_the_rest_and_lists_the_bad(bureau):
    report = discretion_table_import(
        actor=bureau.legal,
        department=bureau.department,
        file=_table(sheet=_with_a_bad_row()),
        good_rows_only=True,
    )

    assert report.written and report.skipped == 1
    assert report.violations == 4
    assert not Benchmark.objects.filter(power_item=bureau.powers["records"]).exists()
    assert Benchmark.objects.filter(power_item=bureau.powers["food"]).exists()


def test_a_published_benchmark_gets_a_new_version_and_one_under_review_stops_the_import(bureau):
    food = benchmark_create(
        actor=bureau.legal,
        power_item=bureau.powers["food"],
        region=bureau.region,
        draft=BenchmarkDraft([_small_violation("旧的违法行为")]),
    )
    for action in (BenchmarkAction.SUBMIT, BenchmarkAction.PUBLISH):
        food.refresh_from_db()
        benchmark_version_transition(
            actor=bureau.legal, version=food.working_version, action=action
        )
    records = benchmark_create(
        actor=bureau.legal,
        power_item=bureau.powers["records"],
        region=bureau.region,
        draft=BenchmarkDraft([_small_violation("审核中的违法行为")]),
    )
    benchmark_version_transition(
        actor=bureau.legal, version=records.working_version, action=BenchmarkAction.SUBMIT
    )

    refused = discretion_table_import(
        actor=bureau.legal, department=bureau.department, file=_table()
    )

    assert refused.refused
    assert all("正在审核" in p.message for p in refused.problems)
    records.refresh_from_db()
    benchmark_version_transition(
        actor=bureau.legal,
        version=records.working_version,
        action=BenchmarkAction.RETURN,
        opinion="重新导入",
    )

    report = discretion_table_import(
        actor=bureau.legal, department=bureau.department, file=_table()
    )

    assert report.written
    food.refresh_from_db()
    assert food.working_version.number == 2  # 修订: the published version stays in force
    assert food.current_version.number == 1
    assert [v.name for v in bureau.content("records").violations] == ["未按规定建立进货查验记录"]


def _small_violation(name):
    return ViolationDraft(
        law="食品安全法",
        name=name,
        legal_basis="《中华人民共和国食品安全法》第三十四条",
        penalty_basis="《中华人民共和国食品安全法》第一百二十三条",
        tiers=[TierDraft("一般", "", [PenaltyDraft(PenaltyKind.WARNING)])],
    )


def test_an_unmatched_violation_is_assigned_by_the_officer(bureau):
    discretion_table_import(actor=bureau.legal, department=bureau.department, file=_table())
    waiting = UnassignedViolation.objects.get()

    benchmark = unassigned_assign(
        actor=bureau.legal, unassigned=waiting, power_item=bureau.powers["labels"]
    )

    assert benchmark.power_item_id == bureau.powers["labels"].pk
    (violation,) = bureau.content("labels").violations
    assert violation.name == "发布虚假广告"
    assert violation.tiers[0].penalties[0].base_name == "广告费用"
    waiting.refresh_from_db()
    assert waiting.assigned_to_id == benchmark.pk and waiting.assigned_by == bureau.legal
    with pytest.raises(ValidationFailed, match="已归入"):
        unassigned_assign(actor=bureau.legal, unassigned=waiting, power_item=bureau.powers["food"])


def test_only_the_legal_office_of_the_region_imports(bureau):
    clerk = org_factories.user("clerk", department=bureau.department)
    elsewhere = org_factories.region(code="338600", name="别的市")
    stranger = org_factories.user("legal", in_region=elsewhere)

    with pytest.raises(PermissionDenied):
        discretion_table_import(actor=clerk, department=bureau.department, file=_table())
    with pytest.raises(NotFound):
        discretion_table_import(actor=stranger, department=bureau.department, file=_table())
    assert not Benchmark.objects.exists()


# ---------------------------------------------------------------- the CLI


def test_the_cli_dry_run_prints_json_and_writes_nothing(bureau, tmp_path, capsys):
    path = tmp_path / "基准.xlsx"
    path.write_bytes(_table())

    call_command(
        "import_discretion",
        str(path),
        "--department",
        bureau.department.full_code,
        "--dry-run",
        "--json",
    )

    out = json.loads(capsys.readouterr().out)
    assert {k: out[k] for k in ("violations", "tiers", "penalties")} == {
        "violations": 5,
        "tiers": 23,
        "penalties": 27,
    }
    assert out["problems"] == []
    assert [u["name"] for u in out["unmatched"]] == ["发布虚假广告"]
    assert out["unmatched"][0]["where"] == "裁量基准汇总!B26"
    assert not Benchmark.objects.exists()


def test_the_cli_writes_and_refuses_a_bad_table(bureau, tmp_path, capsys):
    good, bad = tmp_path / "good.ods", tmp_path / "bad.xlsx"
    good.write_bytes(_table("ods"))
    bad.write_bytes(_table(sheet=_with_a_bad_row()))
    code = bureau.department.full_code

    with pytest.raises(CommandError, match="未写入"):
        call_command("import_discretion", str(bad), "--department", code, "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["problems"][0]["where"] == "裁量基准汇总!G10"
    assert not Benchmark.objects.exists()

    call_command("import_discretion", str(good), "--department", code)

    assert "已导入" in capsys.readouterr().out
    assert Benchmark.objects.count() == 4


def test_the_cli_names_a_missing_file_or_department(bureau, tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_discretion", str(tmp_path / "none.xlsx"), "--department", "1")
    (tmp_path / "x.xlsx").write_bytes(_table())
    with pytest.raises(CommandError, match="没有编码"):
        call_command("import_discretion", str(tmp_path / "x.xlsx"), "--department", "999999999")


# ---------------------------------------------------------------- round trip


def test_our_export_reads_back_identical_with_everything_real_tables_have():
    draft = draft_normalised(
        BenchmarkDraft(
            [
                ViolationDraft(
                    law="食品安全法",
                    name="未按规定建立进货查验记录",
                    legal_basis="《中华人民共和国食品安全法》第五十三条",
                    penalty_basis="第一百二十六条第一款\n实施条例第七十五条",
                    notes="货值金额不足一万元的，按一万元计算\n执法主体：市场监管局",
                    tiers=[
                        TierDraft(
                            "轻微",
                            "首次被发现\n及时改正",
                            [PenaltyDraft(PenaltyKind.WARNING, text="警告")],
                            paragraph="第一百二十六条第一款",
                        ),
                        TierDraft(
                            "一般",
                            "拒不改正",
                            [
                                PenaltyDraft(PenaltyKind.FINE, AmountMode.FIXED, "", D(5000), None),
                                PenaltyDraft(
                                    PenaltyKind.OTHER, AmountMode.TEXT, text="按照有关规定从重处罚"
                                ),
                            ],
                            paragraph="第一百二十六条第一款",
                        ),
                        TierDraft(
                            "轻微",
                            "",
                            [
                                PenaltyDraft(
                                    PenaltyKind.FINE,
                                    AmountMode.SHARE,
                                    "上一年度收入",
                                    D("0.5"),
                                    D(10),
                                    text="处其上一年度收入千分之五以上百分之十以下罚款",
                                )
                            ],
                            paragraph="实施条例第七十五条",
                        ),
                    ],
                ),
                ViolationDraft(
                    law="企业信息公示暂行条例",
                    name="未按规定公示年度报告",
                    legal_basis="《企业信息公示暂行条例》第八条",
                    penalty_basis="《企业信息公示暂行条例》第十八条",
                    tiers=[
                        TierDraft(
                            f"第{n}档",
                            f"逾期{n}个月",
                            [
                                PenaltyDraft(
                                    PenaltyKind.FINE, AmountMode.FIXED, "", D(n * 1000), D(n * 1000)
                                )
                            ],
                        )
                        for n in range(1, 13)
                    ],
                ),
            ]
        )
    )

    read = benchmark_read_upload(file=benchmark_workbook(draft), filename="export.xlsx")

    assert read == draft


def test_the_sunlight_verb_maps_to_the_command():
    from sunlight.cli import translate

    argv = ["discretion", "import", "表.xls", "--department", "338500101", "--dry-run", "--json"]
    assert translate(argv) == ["import_discretion", *argv[2:]]


def test_good_rows_only_with_no_good_row_is_still_refused(bureau):
    sheet = tables.Sheet("食品安全法")
    for column, title in enumerate(["违法行为", "违法依据", "处罚依据", "裁量阶次", "处罚标准"]):
        sheet.put(0, column, title)
    for column, value in enumerate(
        ["某行为", "《某法》第一条", "", "一般", "处十万元以上五万元以下罚款"]
    ):
        sheet.put(1, column, value)

    report = discretion_table_import(
        actor=bureau.legal,
        department=bureau.department,
        file=_table(sheet=sheet),
        good_rows_only=True,
    )

    assert report.refused and not report.written and report.skipped == 1
    assert {p.address for p in report.problems} == {"食品安全法!C2", "食品安全法!E2"}


def test_a_table_naming_the_power_and_the_law_is_taken_at_its_word(bureau):
    sheet = tables.Sheet("Sheet1")
    header = ["处罚事项", "法律法规", "违法行为", "违法依据", "处罚依据", "违法程度", "处罚标准"]
    for column, title in enumerate(header):
        sheet.put(0, column, title)
    row = ["对生产经营标签不符合规定的食品的处罚", "食品安全法（2021）", "标签瑕疵"]
    row += ["《某规定》第一条", "《某规定》第二条", "一般", "处二千元罚款"]
    for column, value in enumerate(row):
        sheet.put(1, column, value)

    report = discretion_table_import(
        actor=bureau.legal,
        department=bureau.department,
        file=_table("csv", sheet),
        filename="基准.csv",
    )

    assert report.written and report.unmatched == []
    (violation,) = bureau.content("labels").violations
    assert (violation.law, violation.name) == ("食品安全法（2021）", "标签瑕疵")
