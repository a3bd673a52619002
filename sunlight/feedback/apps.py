from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "sunlight.feedback"
    label = "feedback"
    verbose_name = "好差评与投诉咨询"

    def ready(self) -> None:
        from sunlight.feedback import jobs, scoring
        from sunlight.feedback.statistics import rating_counts
        from sunlight.feedback.workbench import feedback_panel
        from sunlight.org.workbench import register_panel
        from sunlight.publication.statistics import rating_provider_register

        scoring.register_indicators()
        jobs.register_jobs()
        register_panel(60, feedback_panel)
        rating_provider_register(rating_counts)
