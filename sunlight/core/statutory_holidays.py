"""The days off every year has by law, before the State Council publishes its arrangement.

全国年节及纪念日放假办法 (as revised by 国务院令第798号 of 2024-11-10, in force from 2025-01-01)
gives all citizens 13 days off:
  元旦 1 day (1 January); 春节 4 days (农历除夕, 正月初一至初三); 清明节 1 day (the day of the
  清明 solar term); 劳动节 2 days (1-2 May); 端午节 1 day (农历五月初五); 中秋节 1 day (农历八月
  十五); 国庆节 3 days (1-3 October).
Earlier versions: 2014-2024 (国务院令第644号) 春节 正月初一至初三 and 劳动节 1 May only (11 days);
2008-2013 (国务院令第513号) 春节 除夕至正月初二 and 劳动节 1 May only.

What the rule cannot say is the year's 调休 (weekend make-up workdays, and weekdays off that
bridge to a weekend) nor the 补假 for a festival falling on a weekend: only the State Council's
notice fixes those. A provisional year counts these statutory days as off and nothing else.
Lunar dates are computed with lunar-python.
"""

import datetime as dt
from functools import lru_cache

from lunar_python import Lunar, Solar

RULE_2025 = "全国年节及纪念日放假办法（2024年11月10日国务院令第798号修订，2025年1月1日起施行）"
RULE_2014 = "全国年节及纪念日放假办法（2013年12月11日国务院令第644号修订）"
RULE_2008 = "全国年节及纪念日放假办法（2007年12月14日国务院令第513号修订）"


def rule_for(year: int) -> str:
    if year >= 2025:
        return RULE_2025
    return RULE_2014 if year >= 2014 else RULE_2008


def _lunar(year: int, month: int, day: int) -> dt.date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> dt.date:
    table = Lunar.fromSolar(Solar.fromYmd(year, 4, 1)).getJieQiTable()
    solar = table["清明"]
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """Date → festival name for the statutory days off of `year` (Gregorian year; 除夕 of a
    Spring Festival in late January may fall in the year before and is listed under the
    festival's own year)."""
    spring = _lunar(year, 1, 1)
    days: dict[dt.date, str] = {dt.date(year, 1, 1): "元旦"}
    if year >= 2025:
        spring_days = [spring - dt.timedelta(days=1), *(spring + dt.timedelta(days=n)
                                                         for n in range(3))]  # fmt: skip
        labour = [dt.date(year, 5, 1), dt.date(year, 5, 2)]
    elif year >= 2014:
        spring_days = [spring + dt.timedelta(days=n) for n in range(3)]
        labour = [dt.date(year, 5, 1)]
    else:
        spring_days = [spring + dt.timedelta(days=n) for n in range(-1, 2)]
        labour = [dt.date(year, 5, 1)]
    days.update(dict.fromkeys(spring_days, "春节"))
    days[_qingming(year)] = "清明节"
    days.update(dict.fromkeys(labour, "劳动节"))
    days[_lunar(year, 5, 5)] = "端午节"
    days[_lunar(year, 8, 15)] = "中秋节"
    days.update(dict.fromkeys((dt.date(year, 10, n) for n in (1, 2, 3)), "国庆节"))
    return days
