from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "sunlight.cases"
    label = "cases"
    verbose_name = "网上办件"

    def ready(self) -> None:
        from sunlight.cases.jobs import deadlines_recompute_provisional
        from sunlight.org.calendar_services import calendar_on_change

        calendar_on_change(deadlines_recompute_provisional)

        from sunlight.cases.workbench import case_queue_panel
        from sunlight.org.workbench import register_panel

        register_panel(5, case_queue_panel)  # first: what to do next

        from sunlight.cases.uploads import uploads_sweep
        from sunlight.core.jobs import register_periodic

        register_periodic(
            name="cases.uploads_sweep",
            run=uploads_sweep,
            every_seconds=3600,
            label="清理无记录的上传文件",
        )
