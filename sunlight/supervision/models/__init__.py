"""Electronic supervision (电子监察): rules as data, alerts, scan bookkeeping, supervision orders
(督办) and monthly department scores."""

from sunlight.supervision.models.alerts import Alert, ScanRun, ScanState
from sunlight.supervision.models.flow_index import FlowIndexed, FlowRequiredDocument, FlowStepPair
from sunlight.supervision.models.orders import (
    OrderAttachment,
    OrderEscalation,
    OrderReply,
    OrderReview,
    SupervisionOrder,
)
from sunlight.supervision.models.rules import Rule, WorkdayOrdinal
from sunlight.supervision.models.scores import DepartmentScore, ScoreScheme

__all__ = [
    "Alert",
    "DepartmentScore",
    "FlowIndexed",
    "FlowRequiredDocument",
    "FlowStepPair",
    "OrderAttachment",
    "OrderEscalation",
    "OrderReply",
    "OrderReview",
    "Rule",
    "ScanRun",
    "ScanState",
    "ScoreScheme",
    "SupervisionOrder",
    "WorkdayOrdinal",
]
