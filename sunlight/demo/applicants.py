"""Applicants of the demo cases: residents with well-formed 公民身份号码 (region, real birth date,
check digit) and companies with well-formed 统一社会信用代码, Chinese names, phones and
addresses in 清源市. Pure functions of a random.Random: the same seed gives the same people."""

import datetime as dt
import random

from stdnum.cn import ric, uscc

from sunlight.cases.choices import ApplicantKind
from sunlight.cases.services import Applicant
from sunlight.demo import city

# Birth places: the city's own districts mostly, then elsewhere in 浙江 and a few provinces.
_HOME_REGIONS = [code for code, _name, _prefix in city.DISTRICTS] * 4 + [
    "330102", "330106", "330110", "330203", "330302", "330402", "330502", "330602", "330702",
    "330782", "331002", "331102", "320102", "340104", "360102", "410105", "430104", "510104",
]  # fmt: skip
_STREETS = [
    "人民路", "解放路", "环城北路", "江滨大道", "文化路", "建设路", "新华街", "滨湖路",
    "望江路", "中山路", "凤鸣大道", "云岭路", "桐溪街", "安澜路", "临江路", "工业园区纬二路",
    "科技园区经三路", "湖畔路", "学院路", "东湖路",
]  # fmt: skip
_TRADE_NAMES = "华恒瑞丰鑫达盛泰和源宏远安康福兴隆嘉信诚德正通宇晨佳明锦润博聚鼎昌"
_TRADES = [
    "建设工程", "商贸", "食品", "餐饮管理", "物流", "科技", "环保科技", "建材", "房地产开发",
    "医药", "机械制造", "纺织", "农业开发", "文化传媒", "交通运输", "电子商务", "物业管理",
    "装饰工程", "水产养殖", "旅游开发", "教育咨询", "劳务",
]  # fmt: skip
_FORMS = ["有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司"]
_SHOPS = ["便利店", "小吃店", "五金店", "理发店", "水果店", "农家乐", "副食品店", "汽车修理部"]
_MOBILE_PREFIXES = ["130", "133", "135", "136", "138", "139", "150", "151", "158", "159",
                    "177", "180", "186", "187", "189", "199"]  # fmt: skip
_EARLIEST_BIRTH = dt.date(1950, 1, 1).toordinal()
_LATEST_BIRTH = dt.date(2006, 12, 31).toordinal()


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(city.GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(city.SURNAMES) + given


def resident_id(rng: random.Random) -> str:
    born = dt.date.fromordinal(rng.randint(_EARLIEST_BIRTH, _LATEST_BIRTH))
    body = f"{rng.choice(_HOME_REGIONS)}{born:%Y%m%d}{rng.randint(1, 999):03d}"
    return body + ric.calc_check_digit(body + "0")  # the check digit slot is ignored


def mobile(rng: random.Random) -> str:
    return f"{rng.choice(_MOBILE_PREFIXES)}{rng.randint(0, 99_999_999):08d}"


def address(rng: random.Random) -> str:
    _code, district, _prefix = rng.choice(city.DISTRICTS)
    return f"{city.CITY_NAME}{district}{rng.choice(_STREETS)}{rng.randint(1, 399)}号"


def credit_code(rng: random.Random, *, individual: bool = False) -> str:
    """91 (enterprise) or 92 (个体工商户), a city region, a GB 11714 organisation code with its
    check character, and the GB 32100 check character."""
    body = f"{rng.randint(0, 99_999_999):08d}"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
    organisation = body + {10: "X", 11: "0"}.get(check, str(check))
    region = rng.choice([code for code, _name, _prefix in city.DISTRICTS] + [city.CITY_CODE])
    first17 = f"{'92' if individual else '91'}{region}{organisation}"
    return first17 + uscc.calc_check_digit(first17)


def company_name(rng: random.Random) -> str:
    trade = "".join(rng.sample(_TRADE_NAMES, 2))
    return f"{city.CITY_NAME}{trade}{rng.choice(_TRADES)}{rng.choice(_FORMS)}"


def resident(rng: random.Random) -> Applicant:
    return Applicant(
        kind=ApplicantKind.PERSON,
        name=person_name(rng),
        id_number=resident_id(rng),
        phone=mobile(rng),
        address=address(rng),
    )


def organisation(rng: random.Random) -> Applicant:
    """A company (or a sole trader's shop), represented by an agent (代办人)."""
    individual = rng.random() < 0.2
    if individual:
        _code, district, _prefix = rng.choice(city.DISTRICTS)
        name = f"{district}{person_name(rng)}{rng.choice(_SHOPS)}"
    else:
        name = company_name(rng)
    return Applicant(
        kind=ApplicantKind.ORGANISATION,
        name=name,
        id_number=credit_code(rng, individual=individual),
        phone=f"{city.AREA_CODE}-{rng.randint(2_000_000, 8_999_999)}",
        address=address(rng),
        agent_name=person_name(rng),
        agent_id_number=resident_id(rng),
        agent_phone=mobile(rng),
    )


def applicant_for(rng: random.Random, service_objects: str) -> Applicant:
    """Someone a power serves: residents only when it serves only natural persons,
    organisations only when it serves none, otherwise either."""
    codes = set(service_objects.split(","))
    if codes == {"1"}:
        return resident(rng)
    if "1" not in codes:
        return organisation(rng)
    return resident(rng) if rng.random() < 0.55 else organisation(rng)
