from django.apps import AppConfig


class RatelimitConfig(AppConfig):
    name = "sunlight.ratelimit"
    label = "ratelimit"
    verbose_name = "访问频率限制"

    def ready(self) -> None:
        from sunlight.core.jobs import register_periodic
        from sunlight.ratelimit.services import ratelimit_purge

        register_periodic(
            name="ratelimit.purge", run=ratelimit_purge, every_seconds=3600, label="清理过期计数"
        )
