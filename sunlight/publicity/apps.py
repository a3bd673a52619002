from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "sunlight.publicity"
    label = "publicity"
    verbose_name = "公示（批前、批中、批后）"

    def ready(self) -> None:
        from sunlight.cases.case_panels import register_case_panel
        from sunlight.cases.conclude_checks import register_conclude_check
        from sunlight.catalog.item_panels import register_item_panel
        from sunlight.core.jobs import register_periodic
        from sunlight.org.workbench import register_panel
        from sunlight.publicity.jobs import publicity_windows_close_job
        from sunlight.publicity.panels import (
            case_publicity_panel,
            objections_workbench_panel,
            power_requirement_panel,
        )
        from sunlight.publicity.services import conclude_problems

        # Every minute: a window ends at the end of its last day, and the case must not wait
        # longer than that for someone to notice.
        register_periodic(
            name="publicity.windows_close",
            run=publicity_windows_close_job,
            every_seconds=60,
            label="批前公示期满自动恢复办理",
        )
        register_conclude_check(conclude_problems)
        register_case_panel(10, case_publicity_panel)
        register_item_panel(20, power_requirement_panel)
        register_panel(7, objections_workbench_panel)

        from sunlight.publication.open_data import dataset_register
        from sunlight.publicity.open_data import publicity_dataset

        dataset_register(publicity_dataset())
