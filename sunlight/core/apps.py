from django.apps import AppConfig, apps


class CoreConfig(AppConfig):
    name = "sunlight.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        connection_created.connect(_register_sqlite_functions)
        # Core has no models, so no post_migrate of its own: ride on the sessions app's (another
        # store of the same kind, always installed).
        post_migrate.connect(_create_cache_table, sender=apps.get_app_config("sessions"))


def _register_sqlite_functions(sender, connection, **kwargs) -> None:  # noqa: ANN001
    """SQL functions the embedded database lacks: `sunlight_blank(text)`, the same "has no visible
    character" test the services use (core.text), for the supervision rules."""
    if connection.vendor != "sqlite":
        return
    from sunlight.core.text import sqlite_blank

    connection.connection.create_function("sunlight_blank", 1, sqlite_blank, deterministic=True)


def _create_cache_table(sender, using: str = "default", **kwargs) -> None:  # noqa: ANN001
    """The database cache's table (SUNLIGHT_CACHE_URL empty) is made wherever `migrate` runs, so
    every command that publishes finds it; the command does nothing for other backends or when
    the table exists."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
