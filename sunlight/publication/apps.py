from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "sunlight.publication"
    label = "publication"
    verbose_name = "信息公开（双公示、统计、开放数据）"
