from django.apps import AppConfig


class RollupConfig(AppConfig):
    name = "sunlight.rollup"
    label = "rollup"
    verbose_name = "上报汇总"

    def ready(self) -> None:
        from sunlight.core.jobs import register_periodic
        from sunlight.publication.statistics import reported_provider_register
        from sunlight.rollup.jobs import rollup_pull_job
        from sunlight.rollup.reported import reported_rows

        reported_provider_register(reported_rows)

        from sunlight.rollup.push import rollup_push_job

        register_periodic(
            name="rollup.push",
            run=rollup_push_job,
            every_seconds=600,
            label="向上级平台推送变更",
        )
        register_periodic(
            name="rollup.pull",
            run=rollup_pull_job,
            every_seconds=600,
            label="从下级平台拉取变更和月度统计",
        )
