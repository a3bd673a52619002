"""Code tables for 好差评, complaints and consultation (DOMAIN.md A.8; GB/T 39046)."""

from django.db import models


class Stage(models.TextChoices):
    """When the applicant is asked to rate: after 受理 and after 办结."""

    ACCEPTED = "accepted", "受理"
    CONCLUDED = "concluded", "办结"


class Satisfaction(models.TextChoices):
    """The national five levels (GB/T 39046 A.8), codes as they are exchanged."""

    VERY_SATISFIED = "1", "非常满意"
    SATISFIED = "2", "满意"
    BASICALLY = "3", "基本满意"
    DISSATISFIED = "4", "不满意"
    VERY_DISSATISFIED = "5", "非常不满意"


# 差评: must be verified and rectified by the department (a follow-up).
BAD_LEVELS = (Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED)


class RatingChannel(models.TextChoices):
    WEB = "web", "查询页面"
    SMS = "sms", "短信链接"


class FollowUpState(models.TextChoices):
    OPEN = "open", "待核实"
    VERIFIED = "verified", "整改中"
    CLOSED = "closed", "已办结"


OPEN_FOLLOW_UP_STATES = (FollowUpState.OPEN, FollowUpState.VERIFIED)


class FollowUpOutcome(models.TextChoices):
    RECTIFIED = "rectified", "已整改"
    UNFOUNDED = "unfounded", "经核实情况不属实"


class PetitionKind(models.TextChoices):
    CONSULTATION = "consultation", "咨询"
    COMPLAINT = "complaint", "投诉"


class PetitionAbout(models.TextChoices):
    POWER = "power", "权力事项"
    CASE = "case", "办件"
    DEPARTMENT = "department", "部门"


class PetitionChannel(models.TextChoices):
    ONLINE = "online", "网上"
    HOTLINE = "hotline", "12345热线"
    EXCHANGE = "exchange", "部门自建系统报送"


class PetitionState(models.TextChoices):
    SUBMITTED = "submitted", "待签收"
    HANDLING = "handling", "办理中"
    REPLIED = "replied", "已答复"
    CLOSED = "closed", "已办结"


# Waiting for the department's answer: the reply clock runs.
AWAITING_REPLY = (PetitionState.SUBMITTED, PetitionState.HANDLING)
ANSWERED = (PetitionState.REPLIED, PetitionState.CLOSED)


class PetitionAction(models.TextChoices):
    SUBMITTED = "submitted", "提交"
    SIGNED = "signed", "签收"
    NOTE = "note", "办理意见"
    TRANSFERRED = "transferred", "转办"
    REPLIED = "replied", "答复"
    CLOSED = "closed", "办结"
    ORDERED = "ordered", "发出督办"
