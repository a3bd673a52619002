from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "sunlight.supervision"
    label = "supervision"
    verbose_name = "电子监察"

    def ready(self) -> None:
        from sunlight.org.calendar_services import calendar_on_change
        from sunlight.supervision import jobs
        from sunlight.supervision.workdays import ordinals_rebuild

        calendar_on_change(ordinals_rebuild)
        jobs.register_jobs()
        for module in ("orders_ladder", "scores"):
            try:
                imported = __import__(f"sunlight.supervision.{module}", fromlist=["register_jobs"])
            except ImportError:  # pragma: no cover (while those modules are being written)
                continue
            if hasattr(imported, "register_jobs"):
                imported.register_jobs()
