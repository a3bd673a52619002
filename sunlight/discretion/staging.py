"""An uploaded table kept between its preview and the officer's confirmation, so that what is
written is exactly the file that was previewed (the browser does not send a file twice).

Files live under the data directory, named by a random token and the uploader's id: only the
same user can confirm, and a token cannot name another path. Files older than a day are
removed whenever a new one is kept.
"""

import json
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

from sunlight.core.errors import NotFound

MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "discretion-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _owner(user: object) -> str:
    return str(getattr(user, "pk", None) or "system")


def upload_keep(*, user: object, data: bytes, filename: str) -> str:
    """Keep an upload; returns its token."""
    folder = _folder()
    cutoff = time.time() - MAX_AGE_SECONDS
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    stem = f"{_owner(user)}-{token}"
    (folder / f"{stem}.bin").write_bytes(data)
    (folder / f"{stem}.json").write_text(json.dumps({"filename": filename}), encoding="utf-8")
    return token


def upload_fetch(*, user: object, token: str) -> tuple[bytes, str]:
    """The kept upload and its file name; NotFound when gone, expired or someone else's."""
    if not _TOKEN.match(token or ""):
        raise NotFound("上传的文件已失效，请重新上传")
    stem = _folder() / f"{_owner(user)}-{token}"
    data_path, meta_path = stem.with_suffix(".bin"), stem.with_suffix(".json")
    if not data_path.is_file() or data_path.stat().st_mtime < time.time() - MAX_AGE_SECONDS:
        raise NotFound("上传的文件已失效，请重新上传")
    filename = json.loads(meta_path.read_text(encoding="utf-8")).get("filename", "")
    return data_path.read_bytes(), filename


def upload_discard(*, user: object, token: str) -> None:
    if _TOKEN.match(token or ""):
        stem = _folder() / f"{_owner(user)}-{token}"
        stem.with_suffix(".bin").unlink(missing_ok=True)
        stem.with_suffix(".json").unlink(missing_ok=True)
