"""Uploaded lists kept between the preview and the import (the clerk checks the column mapping
and the planned changes first). Each staged file belongs to the user who uploaded it and one
department; it lives under the data directory, is deleted once imported, and anything older
than a day is cleared whenever a new file is staged."""

import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from sunlight.core.errors import NotFound

MAX_AGE_SECONDS = 24 * 3600
_TOKEN_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


@dataclass(frozen=True)
class StagedList:
    token: str
    department_id: int
    filename: str
    data: bytes


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "list-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(user: Any, token: str, department_id: int | None = None) -> Path:
    if not token or set(token) - _TOKEN_CHARS or len(token) > 64:
        raise NotFound("导入预览已失效，请重新上传文件")
    if department_id is None:
        matches = list(_folder().glob(f"{user.pk}-*-{token}.bin"))
        if len(matches) != 1:
            raise NotFound("导入预览已失效，请重新上传文件")
        return matches[0]
    return _folder() / f"{user.pk}-{department_id}-{token}.bin"


def stage_list(*, user: Any, department_id: int, filename: str, data: bytes) -> str:
    _clear_old()
    token = secrets.token_urlsafe(18)
    path = _path(user, token, department_id)
    path.write_bytes(data)
    path.with_suffix(".name").write_text(filename[:200], encoding="utf-8")
    return token


def staged_list(*, user: Any, token: str) -> StagedList:
    """The user's staged file; NotFound for anyone else's, a used or an expired one."""
    path = _path(user, token)
    department_id = int(path.name.split("-")[1])
    name_file = path.with_suffix(".name")
    filename = name_file.read_text(encoding="utf-8") if name_file.exists() else ""
    return StagedList(token, department_id, filename, path.read_bytes())


def discard_list(*, user: Any, token: str) -> None:
    try:
        path = _path(user, token)
    except NotFound:
        return
    path.unlink(missing_ok=True)
    path.with_suffix(".name").unlink(missing_ok=True)


def _clear_old() -> None:
    limit = time.time() - MAX_AGE_SECONDS
    for path in _folder().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue
