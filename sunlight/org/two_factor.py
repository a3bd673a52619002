"""Two-factor sign-in (TOTP, RFC 6238) through django-otp's devices: one authenticator app per
user plus ten single-use recovery codes. Required for admins and supervisors (and superusers),
optional for everyone else. Every change is audited; the secrets never are."""

import secrets
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sunlight.audit.services import audit_record
from sunlight.core.errors import FieldProblem, PermissionDenied, ValidationFailed
from sunlight.org.permissions import require_org_admin

RECOVERY_CODES = 10
APP_DEVICE_NAME = "验证器应用"
RECOVERY_DEVICE_NAME = "恢复码"


def two_factor_required(user: Any) -> bool:
    roles = settings.SUNLIGHT_TWO_FACTOR_ROLES
    return bool(
        user.is_authenticated
        and (user.role in roles or (user.is_superuser and "superuser" in roles))
    )


def user_has_confirmed_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    secret_base32: str
    uri: str
    qr_svg: str


def enrolment_pending(*, user: Any) -> Enrolment:
    """The unconfirmed device the user is setting up (one is created if none is pending): its
    secret as text and as a QR code for the authenticator app. Nothing is active until
    `two_factor_confirm` accepts a code from it."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return _enrolment(device)


def _enrolment(device: TOTPDevice) -> Enrolment:
    secret = secret_base32(device)
    uri = device.config_url
    qr = segno.make(uri, error="m").svg_inline(scale=4, border=2)
    return Enrolment(device, secret, uri, qr)


def two_factor_confirm(*, user: Any, token: str) -> list[str]:
    """Activate the pending device when `token` is its current code; return fresh recovery
    codes (shown once). Replaces any earlier device of the user."""
    token = (token or "").strip().replace(" ", "")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=False)
        device = device.first()
        if device is None:
            raise ValidationFailed([FieldProblem("验证码", "没有待启用的验证器，请重新开始")])
        if not token.isdigit() or not device.verify_token(token):
            raise ValidationFailed([FieldProblem("验证码", "验证码不正确或已过期，请重新输入")])
        TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit_record(
            actor=user,
            action="org.user.two_factor_enabled",
            object_type="org.user",
            object_id=user.pk,
            data={"username": user.username},
        )
    return codes


def recovery_codes_regenerate(*, user: Any) -> list[str]:
    with transaction.atomic():
        if not user_has_confirmed_device(user):
            raise ValidationFailed([FieldProblem("恢复码", "请先启用两步验证")])
        codes = _new_recovery_codes(user)
        audit_record(
            actor=user,
            action="org.user.recovery_codes_renewed",
            object_type="org.user",
            object_id=user.pk,
            data={"username": user.username},
        )
    return codes


def _new_recovery_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user_id=user.pk).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def two_factor_verify(*, user: Any, token: str) -> Any:
    """The device that accepts `token` (a current app code, or an unused recovery code, which is
    then spent), or ValidationFailed. django-otp slows repeated failures per device."""
    token = (token or "").strip().replace(" ", "").replace("-", "")
    if not token.isdigit() or len(token) not in (6, 10):
        raise ValidationFailed([FieldProblem("验证码", "请输入 6 位验证码或 10 位恢复码")])
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                continue
            if device.verify_token(token):
                return device
    raise ValidationFailed([FieldProblem("验证码", "验证码不正确、已用过或已过期")])


def two_factor_reset(*, actor: Any, user: Any, reason: str) -> None:
    """An admin removes a user's devices (lost phone); the user enrols again at next sign-in."""
    require_org_admin(actor, region_code=user.region_id)
    if not (reason or "").strip():
        raise ValidationFailed([FieldProblem("原因", "请填写重置原因")])
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied("不能重置自己的两步验证，请联系另一位管理员")
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=user.pk).delete()
        StaticDevice.objects.filter(user_id=user.pk).delete()
        audit_record(
            actor=actor,
            action="org.user.two_factor_reset",
            object_type="org.user",
            object_id=user.pk,
            data={"username": user.username, "reason": reason.strip()},
        )


def recovery_codes_left(*, user: Any) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk).count()


def two_factor_enrol_required_users(*, actor: Any = None) -> dict[str, TOTPDevice]:
    """Operator set-up: give every active user whose role requires two-factor sign-in and who has
    no device a confirmed one (a fresh random secret each), returned by user name so the operator
    can hand each secret over. The demo uses it; a deployment may instead let people enrol at
    their first sign-in."""
    from sunlight.org.models import User

    require_org_admin(actor)
    roles = settings.SUNLIGHT_TWO_FACTOR_ROLES
    created: dict[str, TOTPDevice] = {}
    with transaction.atomic():
        enrolled = TOTPDevice.objects.filter(confirmed=True).values("user_id")
        users = User.objects.filter(is_active=True, role__in=roles).exclude(pk__in=enrolled)
        for user in users.order_by("pk"):
            created[user.username] = TOTPDevice.objects.create(
                user=user, name=APP_DEVICE_NAME, confirmed=True
            )
            audit_record(
                actor=actor,
                action="org.user.two_factor_enabled",
                object_type="org.user",
                object_id=user.pk,
                data={"username": user.username, "by": "operator"},
            )
    return created


def secret_base32(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode()


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now (for the demo's `sunlight demo code`)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
