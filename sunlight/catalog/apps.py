from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "sunlight.catalog"
    label = "catalog"
    verbose_name = "权力库"

    def ready(self) -> None:
        from sunlight.catalog.workbench import queue_cards_panel
        from sunlight.org.workbench import register_panel

        register_panel(10, queue_cards_panel)
