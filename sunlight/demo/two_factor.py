"""Two-factor sign-in for the demo's admins and supervisors: the demo enrols each with a random
secret (never a constant shared by every copy of the demo), and `sunlight demo code USER` prints
the code an authenticator app would show, so a person trying the demo signs in without a phone.
That command refuses in production (SUNLIGHT_ENV=production)."""

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from sunlight.org.models import User
from sunlight.org.two_factor import two_factor_enrol_required_users


def two_factor_ready() -> bool:
    roles = settings.SUNLIGHT_TWO_FACTOR_ROLES
    enrolled = TOTPDevice.objects.filter(confirmed=True).values("user_id")
    return not User.objects.filter(is_active=True, role__in=roles).exclude(pk__in=enrolled).exists()


def two_factor_build() -> str:
    from sunlight.core import clock
    from sunlight.demo import timeline

    # At the demo's own moment, like every other step, so two seeds write the same chain.
    with clock.frozen(timeline.now()):
        created = two_factor_enrol_required_users(actor=None)
    return (
        f"{len(created)} 个管理员、纪检监察账号已设置两步验证（sunlight demo code 用户名 取验证码）"
    )
