"""Feedback's indicators in the department scores: 满意率 from ratings (the 满意度 item) and the
on-time reply rate of consultations and complaints (the 服务态度 item). Registered with
supervision at start-up, so supervision's scores never import this app."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate

from sunlight.core.clock import SHANGHAI
from sunlight.feedback.choices import Satisfaction
from sunlight.supervision.indicators import Indicator, Params, Period, register

SATISFIED = (Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY)


def ratings_in(period: Period, params: Params) -> QuerySet[Any]:
    from sunlight.feedback.models import Rating

    return Rating.objects.filter(rated_at__gte=period.start, rated_at__lt=period.end).order_by()


def _satisfied(period: Period, params: Params) -> Q:
    return Q(level__in=SATISFIED)


def petitions_due_in(period: Period, params: Params) -> QuerySet[Any]:
    """Due within the month, on a day already over (a deadline still running is not judged)."""
    from sunlight.feedback.models import Petition

    return Petition.objects.filter(
        due_date__gte=period.month, due_date__lt=period.cutoff_day
    ).order_by()


def _replied_in_time(period: Period, params: Params) -> Q:
    from sunlight.feedback.models import Petition

    in_time = (
        Petition.objects.annotate(day=TruncDate("replied_at", tzinfo=SHANGHAI))
        .filter(pk=OuterRef("pk"), replied_at__isnull=False)
        .filter(day__lte=OuterRef("due_date"))
    )
    return Q(Exists(in_time))


SATISFACTION = Indicator(
    code="satisfaction",
    name="满意率",
    formula="满意率 = 当月评价为非常满意、满意或基本满意的数量 ÷ 当月评价总数 × 100%",
    terms=(
        "当月评价：申请人在当月对办件的受理或办结环节作出的好差评（每件每个环节一次）。",
        "不满意、非常不满意为差评，须在15个工作日内核实整改（整改逾期另有监察预警）。",
    ),
    numerator_label="满意的评价",
    denominator_label="当月评价",
    rest_label="差评",
    subject="rating",
    base=ratings_in,
    hit=_satisfied,
    header="当月收到的好差评中，评为满意（含基本满意）以上的比例；无评价为暂无数据",
)
PETITION_ON_TIME = Indicator(
    code="petition_on_time",
    name="咨询投诉按期答复率",
    formula="咨询投诉按期答复率 = 当月到期的咨询投诉中按期答复的数量 ÷ 当月到期的咨询投诉数 × 100%",
    terms=(
        "当月到期：答复期限（咨询5个、投诉15个工作日，可设置）在当月且已届满的咨询和投诉，"
        "按当前承办部门计。",
        "按期答复：答复日期不晚于答复期限。",
    ),
    numerator_label="按期答复",
    denominator_label="当月到期的咨询投诉",
    rest_label="逾期答复或未答复",
    subject="petition",
    base=petitions_due_in,
    hit=_replied_in_time,
    header="答复期限在当月且已届满的咨询和投诉中，按期答复的比例；无到期件为暂无数据",
)


def register_indicators() -> None:
    register(SATISFACTION)
    register(PETITION_ON_TIME)
