from django.apps import AppConfig


class DiscretionConfig(AppConfig):
    name = "sunlight.discretion"
    label = "discretion"
    verbose_name = "行政处罚自由裁量基准"
