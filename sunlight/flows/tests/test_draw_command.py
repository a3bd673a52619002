"""`sunlight flows draw FILE -o OUT.svg`: draws any readable BPMN file; an unreadable one gets a
Chinese message and exit status 1, never a traceback."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from django.core.management import CommandError, call_command

from sunlight.flows.tests.bpmn_samples import ROOT, interchange_files, interchange_params
from sunlight.flows.tests.test_svg import nodes_drawn, non_executable_file


def draw(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("draw_flow", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("path", interchange_params(), ids=lambda p: p.name)
def test_shared_files_draw_from_their_diagram(path, tmp_path):
    output = tmp_path / "out.svg"
    code, out, _ = draw(str(path), "-o", str(output))
    assert code == 0 and "按文件中的图形坐标绘制" in out
    root = fromstring(output.read_text(encoding="utf-8"))
    assert nodes_drawn(root)


def test_a_file_without_diagram_is_laid_out(tmp_path):
    source, output = tmp_path / "other.bpmn", tmp_path / "other.svg"
    source.write_bytes(non_executable_file(with_diagram=False))
    code, out, _ = draw(str(source), "-o", str(output))
    assert code == 0 and "已自动布局" in out
    assert "shape-script-task" in output.read_text(encoding="utf-8")


def test_title_and_highlight_options_reach_the_drawing(tmp_path):
    source = tmp_path / "other.bpmn"
    source.write_bytes(non_executable_file(with_diagram=True))
    code, out, _ = draw(str(source), "-o", "-", "--title", "预览", "--highlight", "E0, E3")
    root = fromstring(out)
    assert code == 0 and root.find("{http://www.w3.org/2000/svg}title").text == "预览"
    marked = {i for i, g in nodes_drawn(root).items() if "highlighted" in g.get("class")}
    assert marked == {"E0", "E3"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "找不到文件"),
        (b"", "文件为空"),
        (b"not xml at all", "不是有效的 XML"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "不是 BPMN 2.0 文件"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "DTD"),
    ],
    ids=["missing", "empty", "not-xml", "other-namespace", "dtd"],
)
def test_an_unreadable_file_gets_a_chinese_message_and_status_one(tmp_path, content, message):
    source = tmp_path / "bad.bpmn"
    if content is not None:
        source.write_bytes(content)
    output = tmp_path / "out.svg"
    code, out, err = draw(str(source), "-o", str(output))
    assert code == 1 and message in err and "无法绘制 bad.bpmn" in out
    assert not output.exists()


def test_a_directory_is_not_a_file(tmp_path):
    code, _, err = draw(str(tmp_path), "-o", str(tmp_path / "x.svg"))
    assert code == 1 and "不是普通文件" in err


def test_an_unwritable_output_is_reported(tmp_path):
    source = interchange_files()[0]
    code, out, _ = draw(str(source), "-o", str(tmp_path / "no-such-dir" / "x.svg"))
    assert code == 1 and "无法写入" in out and "所在目录不存在" in out


def test_the_sunlight_command_exits_one_without_a_traceback(tmp_path):
    source = tmp_path / "bad.bpmn"
    source.write_bytes(b"<definitions")
    env = {**os.environ, "SUNLIGHT_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "sunlight.cli", "flows", "draw", str(source), "-o", "x.svg"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "不是有效的 XML" in result.stderr
    assert not Path(ROOT / "x.svg").exists()


EVERY = Path(__file__).parent / "modeller" / "every-element.bpmn"


def test_a_file_with_several_diagrams_draws_the_first_and_names_the_others(tmp_path):
    output = tmp_path / "out.svg"
    code, out, err = draw(str(EVERY), "-o", str(output))
    assert code == 0 and "许可办理" in out and "diagram_events（事件一览）" in out
    assert 'data-bpmn-diagram="diagram_main"' in output.read_text(encoding="utf-8")
    assert "ghost_task" in err and "未绘制的流程" in err  # warnings reach the operator


def test_the_diagram_option_draws_the_chosen_diagram(tmp_path):
    output = tmp_path / "events.svg"
    code, out, _ = draw(str(EVERY), "-o", str(output), "--diagram", "diagram_events")
    assert code == 0 and "事件一览" in out
    assert 'data-bpmn-diagram="diagram_events"' in output.read_text(encoding="utf-8")


def test_an_unknown_diagram_is_refused_naming_the_known_ones(tmp_path):
    output = tmp_path / "x.svg"
    code, _, err = draw(str(EVERY), "-o", str(output), "--diagram", "nope")
    assert code == 1 and "diagram_main" in err and not output.exists()
