"""Every `sunlight` command ends in a one-line Chinese message and a non-zero exit when it
cannot do its work — bad arguments, missing settings, an output path that cannot be written, a
refused business rule — never a traceback. Handled here, once, so commands added later are
covered too. An unexpected error still prints one line; its traceback goes to a log file under
the data directory (or to the screen with --traceback)."""

import argparse
import datetime as dt
import re
import sys
import traceback
from pathlib import Path

_ARGPARSE = [
    (re.compile(r"the following arguments are required: (.+)"), "缺少必需的参数：{0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "无法识别的参数：{0}"),
    (re.compile(r"one of the arguments (.+) is required"), "须给出以下参数之一：{0}"),
    (re.compile(r"argument (\S+): expected one argument"), "参数 {0} 后面需要一个值"),
    (re.compile(r"argument (\S+): not allowed with argument (\S+)"), "参数 {0} 不能与 {1} 同用"),
    (re.compile(r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)"),
     "参数 {0} 的取值 {1} 无效，可选：{2}"),
    (re.compile(r"argument (\S+): invalid (\w+) value: (.+)"), "参数 {0} 的值 {2} 无效"),
    (re.compile(r"argument (\S+): (.+)"), "参数 {0} 有误：{1}"),
]  # fmt: skip
_OS_ERRORS = {
    FileNotFoundError: "文件或目录不存在",
    IsADirectoryError: "这是一个目录，不是文件",
    NotADirectoryError: "路径中有一段不是目录",
    PermissionError: "没有权限",
    FileExistsError: "已存在",
}


def argparse_message(message: str) -> str:
    """An argparse/Django parser message in Chinese (the original when no pattern fits)."""
    text = message.strip().removeprefix("Error: ").strip()
    for pattern, template in _ARGPARSE:
        match = pattern.fullmatch(text)
        if match:
            return template.format(*match.groups())
    return text


def os_error_message(error: OSError) -> str:
    what = _OS_ERRORS.get(type(error), error.strerror or str(error))
    where = error.filename
    if where is None:
        return f"文件操作失败：{what}"
    target = Path(str(where))
    if isinstance(error, FileNotFoundError) and not target.parent.exists():
        what = f"目录 {target.parent} 不存在"
    return f"无法访问 {where}：{what}"


def run_guarded(argv: list[str]) -> int:
    """Run one management command (argv[1]) with its arguments; return the exit status."""
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import CommandError
    from django.db import DatabaseError

    from sunlight.core.errors import DomainError

    show_traceback = "--traceback" in argv
    try:
        _run(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except KeyboardInterrupt:
        _say("已中断")
        return 130
    except Exception as error:
        if show_traceback:
            raise
        if isinstance(error, CommandError):
            _say(argparse_message(str(error)))
            return getattr(error, "returncode", 1) or 1
        if isinstance(error, DomainError):
            _say(error.message)
            return 1
        if isinstance(error, ImproperlyConfigured):
            _say(f"配置有误：{error}")
            return 2
        if isinstance(error, OSError):
            _say(os_error_message(error))
            return 1
        if isinstance(error, DatabaseError):
            _say(f"数据库错误：{error}（数据库是否可用、是否已运行 sunlight migrate？）")
            return 1
        if isinstance(error, argparse.ArgumentError):
            _say(argparse_message(str(error)))
            return 2
        log = _log_unexpected()
        _say(f"内部错误（{type(error).__name__}）：{error}；详细信息见 {log}" if log else
             f"内部错误（{type(error).__name__}）：{error}")  # fmt: skip
        return 1
    return 0


def _run(argv: list[str]) -> None:
    """Django's ManagementUtility.execute, minus its own error printing: the parser raises
    CommandError instead of printing English usage and exiting."""
    import django
    from django.conf import settings
    from django.core.management import CommandError, ManagementUtility, get_commands
    from django.core.management.base import handle_default_options

    settings.INSTALLED_APPS  # noqa: B018 (loads the settings: configuration errors surface here)
    django.setup()
    subcommand = argv[1]
    rest = argv[2:]
    if subcommand not in get_commands() and subcommand not in ("help", "version", "--version"):
        raise CommandError(f"未知命令：{subcommand}；运行 sunlight help 查看用法")
    if subcommand not in get_commands() or any(a in ("-h", "--help", "--version") for a in rest):
        ManagementUtility(argv).execute()  # Django's own help and version text
        return
    utility = ManagementUtility(argv)
    command = utility.fetch_command(subcommand)
    parser = command.create_parser(argv[0], subcommand)
    options = parser.parse_args(rest)
    cmd_options = vars(options)
    args = cmd_options.pop("args", ())
    handle_default_options(options)
    command.execute(*args, **cmd_options)


def _say(message: str) -> None:
    first_line = " ".join(str(message).split())
    sys.stderr.write(f"sunlight：{first_line}\n")


def _log_unexpected() -> str:
    try:
        from django.conf import settings

        folder = Path(settings.DATA_DIR) / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "cli-errors.log"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {dt.datetime.now(dt.UTC).isoformat()} {' '.join(sys.argv)}\n")
            handle.write(traceback.format_exc())
        return str(path)
    except Exception:  # noqa: BLE001 (no log is better than a traceback here)
        return ""
