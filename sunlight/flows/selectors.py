"""Reads of flows: a version's flow, its drawing, and the published flow for the public."""

from functools import lru_cache

from sunlight.catalog.choices import ItemStatus
from sunlight.catalog.models import PowerItem, PowerVersion
from sunlight.flows.bpmn_parse import parse_bpmn
from sunlight.flows.models import FlowVersion


def flow_of(*, version: PowerVersion) -> FlowVersion | None:
    return FlowVersion.objects.filter(power_version=version).first()


def flow_svg(*, flow: FlowVersion, highlight: frozenset[str] = frozenset()) -> str:
    """The flow drawn as SVG markup (safe to embed: every text is escaped by the renderer)."""
    return _render(flow.bpmn_xml, highlight, flow.power_version.full_name)


@lru_cache(maxsize=256)
def _render(xml: str, highlight: frozenset[str], title: str) -> str:
    from sunlight.flows.svg import render_svg

    return render_svg(parse_bpmn(xml.encode()), highlight=highlight, title=title)


def public_flow_svg(*, version: PowerVersion) -> str | None:
    """The drawing of a published version's flow, or None. Drafts are never drawn publicly:
    callers pass the version from catalog's public selectors, and this checks again."""
    if version.item.current_version_id != version.pk or version.item.status != ItemStatus.PUBLISHED:
        return None
    flow = flow_of(version=version)
    return flow_svg(flow=flow) if flow is not None else None


def flow_counts() -> dict[str, int]:
    return {
        "flows": FlowVersion.objects.count(),
        "powers_without_flow": PowerItem.objects.filter(status=ItemStatus.PUBLISHED)
        .exclude(current_version__flow__isnull=False)
        .count(),
    }
