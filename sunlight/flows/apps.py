from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "sunlight.flows"
    label = "flows"
    verbose_name = "权力运行流程图"

    def ready(self) -> None:
        from sunlight.catalog.submit_checks import register_submit_check
        from sunlight.flows.services import flow_limit_submit_check

        register_submit_check(flow_limit_submit_check)
