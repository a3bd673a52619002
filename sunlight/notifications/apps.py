from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "sunlight.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from sunlight.core.jobs import register_periodic
        from sunlight.notifications.jobs import outbox_deliver

        register_periodic(
            name="notifications.outbox_deliver",
            run=outbox_deliver,
            every_seconds=30,
            label="消息投递",
        )
