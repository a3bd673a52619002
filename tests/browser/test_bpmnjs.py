"""Our BPMN opens in bpmn-js, the library of the bpmn.io modeller (and of Camunda Modeler):
flows built in Sunlight, with our extension ignored gracefully, and a modeller's file that went
through Sunlight's step table, with its layout kept where the steps were not changed."""

import os
from pathlib import Path

import pytest

from sunlight.flows.bpmn_parse import parse_bpmn
from sunlight.flows.bpmn_write import write_bpmn
from sunlight.flows.modeller_import import modeller_table
from sunlight.flows.steps import build_flow
from sunlight.flows.tests.bpmn_samples import licensing_table

BPMNJS = Path(__file__).parents[1] / "bpmnjs" / "node_modules" / "bpmn-js" / "dist"
MODELER = BPMNJS / "bpmn-modeler.production.min.js"
CAMUNDA = Path(__file__).parents[2] / "sunlight/flows/tests/modeller/camunda-approval.bpmn"
OPEN = """async (xml) => {
  const modeler = new BpmnJS({ container: '#canvas' });
  const { warnings } = await modeler.importXML(xml);
  const shapes = {};
  for (const e of modeler.get('elementRegistry').getAll()) {
    if (e.type !== 'label' && e.businessObject && e.businessObject.id) {
      shapes[e.businessObject.id] = { x: e.x ?? null, y: e.y ?? null, type: e.type };
    }
  }
  const { xml: saved } = await modeler.saveXML({ format: true });
  return { warnings: warnings.map((w) => w.message), shapes, saved };
}"""


@pytest.fixture
def bpmnjs(page):
    if not MODELER.exists():
        message = f"bpmn-js not installed ({MODELER}; npm ci --prefix tests/bpmnjs)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_content('<div id="canvas" style="width:1400px;height:900px"></div>')
    page.add_script_tag(path=str(MODELER))

    def open_xml(xml: str) -> dict:
        result = page.evaluate(OPEN, xml)
        assert not errors, errors
        return result

    return open_xml


@pytest.mark.browser
def test_a_flow_built_in_sunlight_opens_in_bpmnjs_with_every_element(bpmnjs):
    flow = build_flow(licensing_table())
    xml = write_bpmn(flow).decode()

    opened = bpmnjs(xml)

    assert opened["warnings"] == []
    assert set(flow.nodes) | set(flow.edges) <= set(opened["shapes"])
    assert "urn:sunlight:bpmn:1" in opened["saved"]  # our extension survives a save in bpmn.io


@pytest.mark.browser
def test_a_modellers_file_edited_in_the_step_table_keeps_its_layout_in_bpmnjs(bpmnjs):
    original = bpmnjs(CAMUNDA.read_text(encoding="utf-8"))
    table = modeller_table(parse_bpmn(CAMUNDA.read_bytes()))
    for row in table.steps:
        row.limit = 3
    flow = build_flow(table.steps)
    for node_id, bounds in table.layout.items():
        flow.nodes[node_id].bounds = bounds

    opened = bpmnjs(write_bpmn(flow).decode())

    assert opened["warnings"] == []
    for file_id in ("Activity_0receive", "Activity_1review", "Activity_1approve"):
        before, after = original["shapes"][file_id], opened["shapes"][f"Task_{file_id}"]
        assert (after["x"], after["y"]) == (before["x"], before["y"])
