"""API keys and request signatures of source systems.

A key is `slx_<prefix>_<secret>`: the prefix finds the key row, the whole key is compared by its
SHA-256 (keys are long random strings, so a fast hash is enough; only the hash is stored). The
HMAC signing secret must be readable by the server to check signatures, so it is stored
encrypted (AES-GCM, key derived from the server's SECRET_KEY with HKDF), never in clear.

Signature: hex HMAC-SHA256(secret, timestamp + "\n" + METHOD + "\n" + path + "\n" +
sha256(body)), sent as X-Sunlight-Timestamp (Unix seconds) and X-Sunlight-Signature; a request
outside the replay window, or a signature seen before, is refused.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

KEY_PREFIX = "slx"
REPLAY_WINDOW_SECONDS = 300


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
