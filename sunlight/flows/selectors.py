"""Reads of flows: a version's flow, its drawing, and the published flow for the public."""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from sunlight.catalog.choices import ItemStatus
from sunlight.catalog.models import PowerItem, PowerVersion
from sunlight.flows.bpmn_parse import parse_bpmn
from sunlight.flows.graph import USER_TASK
from sunlight.flows.models import FlowNode, FlowVersion

# Drawings are cached by the hash of their XML (a saved flow's XML never changes; a new save is
# new XML), so a busy public page draws each flow once per process. Keys are small hashes, not
# the XML itself: an uploaded file may be 2 MB.
_CACHE_SIZE = 256
_CACHEABLE_SVG = 512 * 1024
_cache: "OrderedDict[tuple[str, frozenset[str], str], str]" = OrderedDict()
_cache_lock = threading.Lock()


def flow_of(*, version: PowerVersion) -> FlowVersion | None:
    flow = FlowVersion.objects.filter(power_version=version).first()
    if flow is not None:
        flow.power_version = version  # saves a query when the drawing's title is read
    return flow


def versions_with_flow(*, versions: Iterable[PowerVersion]) -> set[int]:
    """The ids of those versions that have a flow (one query, for version lists)."""
    ids = [v.pk for v in versions]
    return set(
        FlowVersion.objects.filter(power_version_id__in=ids).values_list(
            "power_version_id", flat=True
        )
    )


def flow_steps(*, flow: FlowVersion) -> list[FlowNode]:
    """The flow's user tasks (办理环节) in document order, with their properties."""
    return list(flow.nodes.filter(kind=USER_TASK).order_by("position"))


def flow_svg(*, flow: FlowVersion, highlight: frozenset[str] = frozenset()) -> str:
    """The flow drawn as SVG markup (safe to embed: every text is escaped by the renderer)."""
    return _render(flow.bpmn_xml, highlight, flow.power_version.full_name)


def _render(xml: str, highlight: frozenset[str], title: str) -> str:
    from sunlight.flows.svg import render_svg

    key = (hashlib.sha256(xml.encode()).hexdigest(), highlight, title)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    svg = render_svg(parse_bpmn(xml.encode()), highlight=highlight, title=title)
    if len(svg) <= _CACHEABLE_SVG:
        with _cache_lock:
            _cache[key] = svg
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return svg


@dataclass(frozen=True)
class PublicStep:
    """One step of a published flow as the public sees it (no staff objects in templates)."""

    name: str
    role: str
    org_unit: str
    limit: str
    stops_clock: bool
    risk_level: str
    risk_label: str
    risk_point: str
    control_measure: str
    required_documents: list[str]


@dataclass(frozen=True)
class PublicFlow:
    svg: str
    steps: list[PublicStep]


def _published(version: PowerVersion) -> bool:
    item = version.item
    return item.current_version_id == version.pk and item.status == ItemStatus.PUBLISHED


def public_flow_svg(*, version: PowerVersion) -> str | None:
    """The drawing of a published version's flow, or None. Drafts are never drawn publicly:
    callers pass the version from catalog's public selectors, and this checks again."""
    flow = public_flow(version=version)
    return flow.svg if flow is not None else None


def public_flow(*, version: PowerVersion) -> PublicFlow | None:
    """The published version's flow: its drawing and its steps, or None when the version is
    not the item's published one or has no flow."""
    if not _published(version):
        return None
    flow = flow_of(version=version)
    if flow is None:
        return None
    return PublicFlow(
        svg=flow_svg(flow=flow),
        steps=[
            PublicStep(
                name=node.name,
                role=node.role_label,
                org_unit=node.org_unit,
                limit=node.limit_label,
                stops_clock=node.stops_clock,
                risk_level=node.risk_level,
                risk_label=node.risk_label,
                risk_point=node.risk_point,
                control_measure=node.control_measure,
                required_documents=list(node.required_documents),
            )
            for node in flow_steps(flow=flow)
        ],
    )


def flow_counts() -> dict[str, int]:
    return {
        "flows": FlowVersion.objects.count(),
        "powers_without_flow": PowerItem.objects.filter(status=ItemStatus.PUBLISHED)
        .exclude(current_version__flow__isnull=False)
        .count(),
    }
