from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sunlight.audit"
    label = "audit"
    verbose_name = "全过程留痕"

    def ready(self) -> None:
        from sunlight.audit import actions

        actions.register_all_installed()
