from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "sunlight.disclosure"
    label = "disclosure"
    verbose_name = "信息公开"

    def ready(self) -> None:
        from sunlight.core.jobs import register_periodic
        from sunlight.disclosure.jobs import dues_schedule_job

        register_periodic(
            name="disclosure.dues_schedule",
            run=dues_schedule_job,
            every_seconds=3600,
            label="生成定期公开事项的应公开期次",
        )
