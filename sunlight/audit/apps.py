from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sunlight.audit"
    label = "audit"
    verbose_name = "全过程留痕"

    def ready(self) -> None:
        from django.conf import settings

        from sunlight.audit import actions
        from sunlight.audit.checkpoints import checkpoint_issue_job
        from sunlight.core.jobs import register_periodic

        actions.register_all_installed()
        register_periodic(
            name="audit.checkpoint_issue",
            run=checkpoint_issue_job,
            every_seconds=settings.SUNLIGHT_AUDIT_CHECKPOINT_MINUTES * 60,
            label="签发留痕检查点",
        )
