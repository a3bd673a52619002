from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sunlight.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        connection_created.connect(_register_sqlite_functions)


def _register_sqlite_functions(sender, connection, **kwargs) -> None:  # noqa: ANN001
    """SQL functions the embedded database lacks: `sunlight_blank(text)`, the same "has no visible
    character" test the services use (core.text), for the supervision rules."""
    if connection.vendor != "sqlite":
        return
    from sunlight.core.text import sqlite_blank

    connection.connection.create_function("sunlight_blank", 1, sqlite_blank, deterministic=True)
