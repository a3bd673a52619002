import argparse
import math
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sunlight.flows.bpmn_parse import MAX_BYTES, FlowParseError, parse_bpmn
from sunlight.flows.validation import validate_flow


def _days(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是数字") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError("法定时限必须是大于 0 的天数")
    return value


def flow_file_problems(path: Path, *, statutory_days: float | None = None) -> list[str]:
    """Every reason the file can't run as a flow, in Chinese; [] when it can."""
    if not path.exists():
        return [f"找不到文件：{path}"]
    if path.is_dir():
        return [f"{path} 是目录，不是 BPMN 文件"]
    if not path.is_file():
        return [f"{path} 不是普通文件"]
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return [f"文件过大（{size // 1024} KB），上限为 {MAX_BYTES // 1024} KB"]
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)  # the file may grow while we read it
    except OSError as error:
        return [f"无法读取文件 {path}：{error.strerror or error}"]
    try:
        flow = parse_bpmn(data)
    except FlowParseError as error:
        return error.problems
    return [str(p) for p in validate_flow(flow, statutory_limit_days=statutory_days)]


class Command(BaseCommand):
    help = (
        "检查 BPMN 2.0 文件能否作为可执行流程：逐行列出全部问题并以状态 1 退出；"
        "没有问题时输出“可作为可执行流程”，状态 0"
    )
    requires_system_checks: list[str] = []  # reads one file; needs neither database nor checks

    def add_arguments(self, parser):
        parser.add_argument("file", help=".bpmn 文件路径")
        parser.add_argument(
            "--statutory-days",
            type=_days,
            default=None,
            help="法定办结时限（天）：各环节时限之和在每条路径上都超过它时不予通过",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            problems = flow_file_problems(path, statutory_days=options["statutory_days"])
        except Exception as error:  # an operator gets a message, never a traceback
            problems = [f"检查时发生意外错误（{type(error).__name__}），请将此文件报告给维护者"]
        for problem in problems:
            # Names from other modellers may contain line breaks; one problem stays one line.
            self.stdout.write(" ".join(problem.splitlines()))
        if problems:
            raise CommandError(f"不能作为可执行流程：共 {len(problems)} 个问题", returncode=1)
        self.stdout.write(f"可作为可执行流程：{path.name}")
