from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "sunlight.demo"
    label = "demo"
    verbose_name = "演示数据"

    def ready(self) -> None:
        from sunlight.core.jobs import register_periodic
        from sunlight.demo.live import demo_city_advance

        # Does nothing where there is no complete demo city (one query per run).
        register_periodic(
            name="demo.city_advance",
            run=demo_city_advance,
            every_seconds=600,
            label="演示城市：工作人员每个工作日办理到期的工作",
        )
