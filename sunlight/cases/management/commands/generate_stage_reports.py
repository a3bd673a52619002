import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from sunlight.cases.reports import filing_reports_generate, reports_generate_due
from sunlight.core import clock
from sunlight.core.errors import DomainError

STAGE_LABELS = {"accepted": "受理", "handling": "办理", "concluded": "办结"}


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 a calendar month
    except ValueError as error:
        raise CommandError(f"月份格式应为 YYYY-MM：{text}") from error


class Command(BaseCommand):
    help = (
        "生成行政权力动态运行情况报表：重要事项各环节（受理、办理、办结）的登记表，"
        "以及上月非重要事项的备案表；可重复运行，已生成的不会重复生成"
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", type=_month, help="另外补生成指定月份（YYYY-MM）的备案表")

    def handle(self, *args, **options):
        now = clock.now()
        try:
            created = reports_generate_due(now=now)
            if options["month"] is not None:
                created["filing"] += filing_reports_generate(month=options["month"], now=now)
        except DomainError as error:
            raise CommandError(error.message) from error
        stages = "，".join(f"{label}{created[key]}份" for key, label in STAGE_LABELS.items())
        self.stdout.write(f"登记表：{stages}；备案表：{created['filing']}份")
