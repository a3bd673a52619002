"""GB/T 2260 six-digit administrative division codes: structure checks.

2 digits province + 2 city + 2 county. A province code ends in 0000, a city code in 00, and a
county's first four digits are its city's (or its province's for county-level units directly
under a province, whose city part is 90).
"""

import re

from sunlight.core.errors import FieldProblem

PROVINCE_CODES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}  # fmt: skip

LEVEL_PROVINCE = "province"
LEVEL_CITY = "city"
LEVEL_COUNTY = "county"

_CODE = re.compile(r"^\d{6}$")


def region_level(code: str) -> str:
    if code.endswith("0000"):
        return LEVEL_PROVINCE
    if code.endswith("00"):
        return LEVEL_CITY
    return LEVEL_COUNTY


def region_code_problems(code: str, parent_code: str | None) -> list[FieldProblem]:
    """Every way `code` fails to be a well-formed GB/T 2260 code under `parent_code`."""
    if not _CODE.match(code or ""):
        return [FieldProblem("区划代码", f"“{code}”不是六位数字的行政区划代码")]
    problems: list[FieldProblem] = []
    if code[:2] not in PROVINCE_CODES:
        problems.append(FieldProblem("区划代码", f"“{code}”的前两位不是有效的省级代码"))
    if code[2:4] == "00" and code[4:] != "00":
        problems.append(FieldProblem("区划代码", f"“{code}”的地市位为00但区县位不为00"))
    level = region_level(code)
    if parent_code is None:
        # A city or county may be the top of a deployment; it still has to name a real province.
        return problems
    parent_level = region_level(parent_code)
    if parent_level == LEVEL_COUNTY:
        problems.append(FieldProblem("上级区划", f"区县级“{parent_code}”下不能再设区划"))
    elif parent_level == LEVEL_PROVINCE:
        if level != LEVEL_CITY and not (level == LEVEL_COUNTY and code[2:4] == "90"):
            problems.append(
                FieldProblem("区划代码", f"省级“{parent_code}”的下级应为地市级代码（末两位00）")
            )
        if code[:2] != parent_code[:2]:
            problems.append(
                FieldProblem("区划代码", f"“{code}”的前两位与上级“{parent_code}”不一致")
            )
    elif parent_level == LEVEL_CITY:
        if level != LEVEL_COUNTY:
            problems.append(FieldProblem("区划代码", f"地市级“{parent_code}”的下级应为区县级代码"))
        if code[:4] != parent_code[:4]:
            problems.append(
                FieldProblem("区划代码", f"“{code}”的前四位与上级“{parent_code}”不一致")
            )
    return problems
