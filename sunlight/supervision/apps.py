from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "sunlight.supervision"
    label = "supervision"
    verbose_name = "电子监察"

    def ready(self) -> None:
        from sunlight.org.calendar_services import calendar_on_change
        from sunlight.org.workbench import register_panel
        from sunlight.supervision import jobs, orders_ladder, scores
        from sunlight.supervision.workbench import orders_todo_panel
        from sunlight.supervision.workdays import ordinals_rebuild

        calendar_on_change(ordinals_rebuild)
        jobs.register_jobs()
        orders_ladder.register_jobs()
        scores.register_jobs()
        register_panel(6, orders_todo_panel)  # orders to answer: right after the case queue
