"""API keys and request signatures of source systems.

A key is `slx_<prefix>_<secret>`: the prefix finds the key row, the whole key is compared by its
SHA-256 (keys are long random strings, so a fast hash is enough; only the hash is stored). The
HMAC signing secret must be readable by the server to check signatures, so it is stored
encrypted (AES-GCM, key derived from the server's SECRET_KEY with HKDF), never in clear.

Signature: hex HMAC-SHA256(secret, timestamp + "\n" + METHOD + "\n" + path + "\n" +
sha256(body)), sent as X-Sunlight-Timestamp (Unix seconds) and X-Sunlight-Signature; a request
outside the replay window, or a signature seen before, is refused.
"""

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from sunlight.core import clock
from sunlight.core.errors import DomainError

KEY_PREFIX = "slx"
REPLAY_WINDOW_SECONDS = 300


class AuthenticationFailed(DomainError):
    """The request does not come with a valid, live key (or a valid signature) of a registered,
    active holder: a source system, or a superior platform reading the roll-up feed."""


@dataclass(frozen=True)
class IssuedKey:
    key: str  # shown once to the admin, never stored
    prefix: str
    key_hash: str
    signing_secret: str  # shown once; stored encrypted
    signing_secret_encrypted: bytes


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_key() -> IssuedKey:
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    signing_secret = secrets.token_hex(32)
    return IssuedKey(key, prefix, key_hash(key), signing_secret, encrypt(signing_secret))


def prefix_of(key: str) -> str | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 8:
        return None
    return parts[1]


def keys_match(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(key_hash(key), stored_hash)


def _box() -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"sunlight-exchange-signing"
    ).derive(settings.SECRET_KEY.encode())
    return AESGCM(derived)


def encrypt(secret: str) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + _box().encrypt(nonce, secret.encode(), None)


def decrypt(blob: bytes) -> str:
    blob = bytes(blob)
    return _box().decrypt(blob[:12], blob[12:], None).decode()


def signature(secret: str, *, timestamp: str, method: str, path: str, body: bytes) -> str:
    message = "\n".join([timestamp, method.upper(), path, hashlib.sha256(body).hexdigest()])
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signature_matches(secret: str, given: str, **request: object) -> bool:
    expected = signature(secret, **request)  # type: ignore[arg-type]
    return hmac.compare_digest(expected, given.strip().lower())


def request_check(
    *, signing_secret: bytes, holder: str, timestamp: str, signature: str, **request: object
) -> None:
    """A signed request: both headers present, sent within the replay window, the HMAC right
    (`request`: method, path, body). Raises AuthenticationFailed naming `holder` ("该系统",
    "该平台"). Refusing a signature seen before is the caller's part, where replays matter."""
    if not signature or not timestamp:
        raise AuthenticationFailed(
            f"{holder}要求请求签名：缺少 X-Sunlight-Timestamp 或 X-Sunlight-Signature"
        )
    try:
        sent = dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise AuthenticationFailed("X-Sunlight-Timestamp 应为 Unix 秒数") from None
    if abs(clock.now() - sent) > dt.timedelta(seconds=REPLAY_WINDOW_SECONDS):
        raise AuthenticationFailed("请求时间超出允许范围（±5 分钟），请校准系统时钟后重发")
    if not signature_matches(decrypt(signing_secret), signature, timestamp=timestamp, **request):
        raise AuthenticationFailed("请求签名不符")
