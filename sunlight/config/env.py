"""Every setting Sunlight reads from the environment, in one place.

docs/configuration.md documents each name below; a test checks the two lists match.
"""

import os
from pathlib import Path

ENV_VARS: dict[str, str] = {
    "SUNLIGHT_ENV": "embedded",
    "SUNLIGHT_DATA_DIR": "./sunlight-data",
    "DATABASE_URL": "",
    "SUNLIGHT_SECRET_KEY": "",
    "SUNLIGHT_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SUNLIGHT_DEBUG": "0",
    "SUNLIGHT_SESSION_HOURS": "8",
    "SUNLIGHT_LOCKOUT_FAILURES": "5",
    "SUNLIGHT_LOCKOUT_MINUTES": "15",
    "SUNLIGHT_LOGIN_ADDRESS_FAILURES": "30",
    "SUNLIGHT_IMPORT_MAX_MB": "10",
    "SUNLIGHT_HOST": "127.0.0.1",
    "SUNLIGHT_PORT": "8000",
    "SUNLIGHT_WORKERS": "2",
    "SUNLIGHT_EMBEDDED_WORKER": "1",
    "SUNLIGHT_OFFICE_HOURS": "09:00-12:00,13:30-17:30",
    "SUNLIGHT_SITE_URL": "",
    "SUNLIGHT_EMAIL_HOST": "",
    "SUNLIGHT_EMAIL_PORT": "25",
    "SUNLIGHT_EMAIL_USER": "",
    "SUNLIGHT_EMAIL_PASSWORD": "",
    "SUNLIGHT_EMAIL_USE_TLS": "0",
    "SUNLIGHT_EMAIL_USE_SSL": "0",
    "SUNLIGHT_EMAIL_FROM": "阳光政务 <sunlight@localhost>",
    "SUNLIGHT_SMS_BACKEND": "sunlight.notifications.sms.file.SmsBackend",
    "SUNLIGHT_SMS_GATEWAY_URL": "",
    "SUNLIGHT_SMS_GATEWAY_TOKEN": "",
    "SUNLIGHT_DELIVERY_TIMEOUT_SECONDS": "10",
    "SUNLIGHT_DELIVERY_MAX_ATTEMPTS": "6",
    "SUNLIGHT_TRUSTED_PROXIES": "0",
    "SUNLIGHT_CONSULTATION_REPLY_WORKDAYS": "5",
    "SUNLIGHT_COMPLAINT_REPLY_WORKDAYS": "15",
    "SUNLIGHT_RATING_FOLLOWUP_WORKDAYS": "15",
    "SUNLIGHT_RATING_LINK_DAYS": "30",
    "SUNLIGHT_API_ANON_RATE": "600/minute",
    "SUNLIGHT_AUDIT_KEY_FILE": "",
    "SUNLIGHT_AUDIT_CHECKPOINT_MINUTES": "10",
    "SUNLIGHT_DUE_SOON_WORKDAYS": "2",
    "SUNLIGHT_CACHE_URL": "",
    "SUNLIGHT_PUBLIC_CACHE_SECONDS": "300",
    "SUNLIGHT_API_CACHE_SECONDS": "60",
}


def get(name: str) -> str:
    if name not in ENV_VARS:
        raise KeyError(f"undocumented setting {name}")
    return os.environ.get(name, ENV_VARS[name])


def get_int(name: str) -> int:
    value = get(name)
    try:
        return int(value)
    except ValueError:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"环境变量 {name} 应为整数，现为“{value}”") from None


def get_bool(name: str) -> bool:
    return get(name).strip().lower() in {"1", "true", "yes", "on"}


def data_dir() -> Path:
    return Path(get("SUNLIGHT_DATA_DIR")).expanduser().resolve()
