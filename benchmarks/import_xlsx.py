"""Benchmark: importing a 5,000-row power-catalog .xlsx.

Builds a workbook of N realistic rows (the export layout, through the same code the export
uses) in a temporary directory, then measures, in the same run:
  * bare: openpyxl (read-only) reading every cell of the data sheet, doing nothing with it;
  * import: power_items_import — safety checks, parsing, every validation rule, and the bulk
    write with its audit entries — into a fresh SQLite database (migrated here).
Target: the whole import takes at most 3× the bare read.

    python benchmarks/import_xlsx.py [--rows 5000] [--profile]
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 3.0

OBJECTS = [
    "建筑施工企业", "房地产开发企业", "物业服务企业", "建设单位", "施工单位", "监理单位",
    "商品房预售单位", "白蚁防治单位", "燃气经营企业", "城市道路占用单位",
]  # fmt: skip
ACTS = [
    "未取得施工许可证擅自施工", "未按规定办理竣工验收备案", "违反建筑节能标准",
    "擅自改变房屋用途", "未按规定公示收费项目", "未按规定进行白蚁预防", "擅自占用城市道路",
    "未按规定报送统计资料", "拒不执行整改通知", "未按规定缴存专项维修资金",
]  # fmt: skip
LAWS = [
    ("中华人民共和国建筑法", "第六十四条",
     "违反本法规定，未取得施工许可证或者开工报告未经批准擅自施工的，责令改正，"
     "对不符合开工条件的责令停止施工，可以处以罚款。"),
    ("建设工程质量管理条例", "第五十七条",
     "违反本条例规定，建设单位未取得施工许可证或者开工报告未经批准，擅自施工的，"
     "责令停止施工，限期改正，处工程合同价款百分之一以上百分之二以下的罚款。"),
    ("物业管理条例", "第五十九条",
     "违反本条例的规定，物业服务企业将一个物业管理区域内的全部物业管理一并委托给他人的，"
     "由县级以上地方人民政府房地产行政主管部门责令限期改正，处委托合同价款30%以上50%以下的罚款。"),
    ("浙江省物业管理条例", "第七十二条",
     "物业服务人违反本条例第三十条规定，未按照规定公示有关信息的，"
     "由县（市、区）物业主管部门责令限期改正；逾期不改正的，处一千元以上一万元以下的罚款。"),
    ("城市房地产开发经营管理条例", "第三十六条",
     "违反本条例规定，擅自预售商品房的，由县级以上人民政府房地产开发主管部门责令停止违法行为，"
     "没收违法所得，可以并处已收取的预付款1%以下的罚款。"),
]  # fmt: skip
MATERIALS = [
    "行政处罚立案审批表", "现场检查笔录", "询问笔录", "营业执照复印件", "法定代表人身份证明",
    "授权委托书", "相关证据材料", "整改情况报告",
]  # fmt: skip
STEPS = [
    ("立案", "对发现的违法行为进行初步审查，决定是否立案", "对应当立案而不予立案的，依法追究责任"),
    ("调查", "执法人员不少于两人，出示执法证件，全面、客观、公正调查取证",
     "违法取证、玩忽职守的，依法追究责任"),
    ("审查", "对案件违法事实、证据、调查取证程序、法律适用、处罚种类和幅度等进行审查",
     "审查不严、适用法律错误的，依法追究责任"),
    ("告知", "作出处罚决定前，告知当事人拟作出处罚的事实、理由、依据及依法享有的权利",
     "未依法告知的，依法追究责任"),
    ("决定", "依法作出处罚决定，制作行政处罚决定书", "滥用职权、徇私舞弊的，依法追究责任"),
    ("送达", "依照法定方式将行政处罚决定书送达当事人", "未依法送达的，依法追究责任"),
]  # fmt: skip


def build_drafts(count: int, department, sections: list[str]):
    from sunlight.catalog.drafts import DutyDraft, LegalBasisDraft, MaterialDraft, PowerDraft

    rng = random.Random(20260101)
    drafts = []
    for n in range(count):
        category = "02" if n % 10 < 7 else rng.choice(["01", "03", "06", "07", "10"])
        obj, act = rng.choice(OBJECTS), rng.choice(ACTS)
        statutory = rng.choice([5, 10, 20, 30, 60, 90])
        drafts.append(
            PowerDraft(
                code=f"{department.full_code}{category}{n:05d}",
                name=f"对{obj}{act}的{'处罚' if category == '02' else '处理'}",
                sub_item_name=rng.choice(["", "", "情节较轻的", "情节严重的"]),
                category=category,
                implementing_body=department.name,
                handling_section_name=rng.choice(sections),
                service_objects=rng.sample(["1", "2", "3", "6"], k=rng.randint(1, 3)),
                handling_forms=["1", "2"] if n % 3 else ["1"],
                statutory_limit=statutory,
                promised_limit=rng.choice([None, statutory // 2, statutory]),
                charges_fee=n % 17 == 0,
                fee_basis="《浙江省行政事业性收费管理条例》" if n % 17 == 0 else "",
                fee_standard="按规定标准收取" if n % 17 == 0 else "",
                conditions="违法事实清楚，证据确凿，属于本机关管辖范围。" * rng.randint(1, 3),
                important=n % 5 == 0,
                contact_phone="0571-87001234",
                supervision_phone="0571-87005678",
                legal_bases=[LegalBasisDraft(*law) for law in rng.sample(LAWS, rng.randint(1, 3))],
                materials=[
                    MaterialDraft(name, rng.random() < 0.7, rng.randint(0, 2), rng.randint(0, 2))
                    for name in rng.sample(MATERIALS, rng.randint(2, 5))
                ],
                duties=[DutyDraft(*step) for step in STEPS[: rng.randint(3, 6)]],
            )
        )
    return drafts


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the import")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sunlight-bench-import-"))
    os.environ["SUNLIGHT_DATA_DIR"] = str(work / "data")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlight.config.settings")
    import django

    django.setup()
    import openpyxl
    from django.core.management import call_command
    from django.db import connection

    from sunlight.catalog.imports import catalog_workbook, power_items_import
    from sunlight.catalog.models import PowerItem
    from sunlight.catalog.spreadsheet import draft_cells
    from sunlight.org import services as org
    from sunlight.org.region_codes import region_code_add_local

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    region_code_add_local(actor=None, code="338500", name="清源市", note="基准测试用虚构区划")
    org.region_create(actor=None, code="330000", name="浙江省")
    city = org.region_create(actor=None, code="338500", name="清源市", parent_code="330000")
    department = org.department_create(
        actor=None, region=city, code="012", name="清源市住房和城乡建设局"
    )
    sections = ["法规科", "物业管理科", "住房保障科", "白蚁防治所", "交易与权属管理中心", "档案馆"]
    for number, name in enumerate(sections, start=1):
        org.section_create(actor=None, department=department, code=f"{number:03d}", name=name)

    drafts = build_drafts(args.rows, department, sections)
    path = work / "catalog.xlsx"
    start = time.perf_counter()
    path.write_bytes(catalog_workbook(draft_cells(d) for d in drafts))
    print(f"built {args.rows:,} rows in {time.perf_counter() - start:.2f} s: "
          f"{path.stat().st_size / 1024 / 1024:.1f} MB")  # fmt: skip

    start = time.perf_counter()
    workbook = openpyxl.load_workbook(path, read_only=True)
    cells = 0
    for row in workbook["权力事项"].iter_rows(values_only=True):
        cells += len(row)
    workbook.close()
    bare = time.perf_counter() - start

    data = path.read_bytes()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    read_done = []  # the last progress call marks the end of reading and parsing the rows
    start = time.perf_counter()
    report = power_items_import(
        actor=None,
        department=department,
        file=data,
        progress=lambda done, total: read_done.append(time.perf_counter()),
    )
    whole = time.perf_counter() - start
    parsed = read_done[-1] - start
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    assert not report.problems, report.problems[:5]
    assert report.created == args.rows == PowerItem.objects.count(), report

    ratio = whole / bare
    print(f"bare openpyxl read: {args.rows / bare:,.0f} rows/s ({bare:.2f} s, {cells:,} cells)")
    print(f"validated import:   {args.rows / whole:,.0f} rows/s ({whole:.2f} s)")
    print(f"  checks, read, parse: {parsed:.2f} s; validate and write (catalog services): "
          f"{whole - parsed:.2f} s")  # fmt: skip
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(
        f"ratio: import takes {ratio:.2f}× the bare read (target ≤ {TARGET_RATIO:.0f}×): {verdict}"
    )
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
