from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "sunlight.exchange"
    label = "exchange"
    verbose_name = "数据交换"
