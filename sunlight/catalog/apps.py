from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "sunlight.catalog"
    label = "catalog"
    verbose_name = "权力库"
