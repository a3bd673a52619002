from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrgConfig(AppConfig):
    name = "sunlight.org"
    label = "org"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from sunlight.org.region_codes import load_shipped_list_if_empty

        # A new database starts with the GB/T 2260 list that ships with the project.
        post_migrate.connect(
            load_shipped_list_if_empty, sender=self, dispatch_uid="org.region_codes"
        )
