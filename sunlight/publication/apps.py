from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "sunlight.publication"
    label = "publication"
    verbose_name = "信息公开（双公示、统计、开放数据）"

    def ready(self) -> None:
        from sunlight.core.jobs import register_periodic
        from sunlight.publication.jobs import double_publicity_collect_job

        register_periodic(
            name="publication.double_publicity_collect",
            run=double_publicity_collect_job,
            every_seconds=300,
            label="生成双公示待公示信息",
        )
