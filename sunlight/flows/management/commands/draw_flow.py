from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sunlight.flows.bpmn_parse import MAX_BYTES, FlowParseError
from sunlight.flows.drawing import Drawing, draw_bpmn


def _read(path: Path) -> bytes:
    if not path.exists():
        raise FlowParseError([f"找不到文件：{path}"])
    if not path.is_file():
        raise FlowParseError([f"{path} 不是普通文件"])
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise FlowParseError([f"无法读取文件 {path}：{_reason(error)}"]) from None
    return data


def _reason(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "所在目录不存在"
    if isinstance(error, IsADirectoryError):
        return "这是一个目录"
    if isinstance(error, PermissionError):
        return "没有权限"
    return error.strerror or str(error)


class Command(BaseCommand):
    help = (
        "把任意 BPMN 2.0 文件画成 SVG：文件带图形坐标的按原坐标绘制，没有的自动布局；"
        "不可执行的元素也照样画出。文件无法读取时列出原因并以状态 1 退出"
    )
    requires_system_checks: list[str] = []  # reads one file; needs neither database nor checks

    def add_arguments(self, parser):
        parser.add_argument("file", help=".bpmn 文件路径")
        parser.add_argument("-o", "--output", required=True, help="输出的 .svg 文件；“-”为标准输出")
        parser.add_argument("--title", default="", help="图的标题（默认取流程名称）")
        parser.add_argument("--highlight", default="", help="要突出显示的节点 ID，多个用逗号分隔")
        parser.add_argument(
            "--diagram", default=None, help="文件含多张图时要绘制的图 ID（默认第一张；其余会列出）"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            drawing = draw_bpmn(
                _read(path),
                diagram_id=options["diagram"],
                title=options["title"],
                highlight=frozenset(i.strip() for i in options["highlight"].split(",") if i),
            )
        except FlowParseError as error:
            self._fail(error.problems, f"无法绘制 {path.name}")
        except KeyError as error:
            self._fail([error.args[0]], f"无法绘制 {path.name}")
        except Exception as error:  # an operator gets a message, never a traceback
            self._fail(
                [f"绘制时发生意外错误（{type(error).__name__}），请将此文件报告给维护者"],
                f"无法绘制 {path.name}",
            )
        for warning in drawing.warnings + drawing.undrawn:
            self.stderr.write(f"注意：{warning}")
        svg = drawing.diagrams[0].svg
        if options["output"] == "-":
            self.stdout.write(svg)
            return
        output = Path(options["output"])
        try:
            output.write_text(svg, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"无法写入 {output}：{_reason(error)}", returncode=1) from None
        self.stdout.write(self._summary(path, output, drawing))

    def _fail(self, problems: list[str], summary: str) -> None:
        for problem in problems:
            self.stderr.write(" ".join(problem.splitlines()))
        raise CommandError(summary, returncode=1)

    @staticmethod
    def _summary(path: Path, output: Path, drawing: Drawing) -> str:
        first = drawing.diagrams[0]
        if drawing.laid_out:
            return (
                f"已将 {path.name} 画为 {output}：{first.shapes} 个节点、{first.edges} 条顺序流"
                "（文件没有图形坐标，已自动布局）"
            )
        summary = (
            f"已将 {path.name} 的图“{first.name or first.id}”画为 {output}：{first.shapes} 个图形、"
            f"{first.edges} 条连线（按文件中的图形坐标绘制）"
        )
        others = drawing.diagrams[1:]
        if others:
            listed = "、".join(f"{d.id}（{d.name or '未命名'}）" for d in others)
            summary += f"\n文件还有 {len(others)} 张图：{listed}；用 --diagram ID 绘制"
        return summary
