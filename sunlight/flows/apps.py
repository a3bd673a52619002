from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "sunlight.flows"
    label = "flows"
    verbose_name = "权力运行流程图"
