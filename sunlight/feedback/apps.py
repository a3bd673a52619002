from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "sunlight.feedback"
    label = "feedback"
    verbose_name = "好差评与投诉咨询"

    def ready(self) -> None:
        from sunlight.feedback import scoring

        scoring.register_indicators()
