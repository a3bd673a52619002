import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from sunlight.catalog.history import power_version_record_historical
from sunlight.catalog.models import PowerItem
from sunlight.core.errors import DomainError, ValidationFailed


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"“{value}”不是有效日期（应为 YYYY-MM-DD）") from None


class Command(BaseCommand):
    help = (
        "补录一个权力事项在平台上线前有效的历史版本（不走审核流程），供补录的历史办件使用："
        "内容和流程图沿用现行版本（或 --like 指定的版本），可改名称、时限"
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="权力事项统一编码")
        parser.add_argument("--from", dest="start", required=True, help="有效期起 YYYY-MM-DD")
        parser.add_argument("--until", required=True, help="有效期止 YYYY-MM-DD（含）")
        parser.add_argument("--reason", required=True, help="来源，如原办事指南的文号")
        parser.add_argument("--like", type=int, help="参照的版本号（默认现行版本）")
        parser.add_argument("--name", help="当时的事项名称")
        parser.add_argument("--statutory-limit", type=int, help="当时的法定时限")
        parser.add_argument("--promised-limit", type=int, help="当时的承诺时限")

    def handle(self, *args, **options):
        item = PowerItem.objects.select_related("department").filter(code=options["code"]).first()
        if item is None:
            raise CommandError(f"没有统一编码为“{options['code']}”的权力事项")
        like = None
        if options["like"] is not None:
            like = item.versions.filter(number=options["like"]).first()
            if like is None:
                raise CommandError(f"{item.code} 没有第{options['like']}版")
        changes = {
            field: options[option]
            for field, option in (("name", "name"), ("statutory_limit", "statutory_limit"),
                                  ("promised_limit", "promised_limit"))
            if options[option] is not None
        }  # fmt: skip
        try:
            version = power_version_record_historical(
                actor=None,  # the operator's CLI acts as the system
                item=item,
                valid_from=_date(options["start"]),
                valid_until=_date(options["until"]),
                reason=options["reason"],
                like=like,
                changes=changes,
            )
        except ValidationFailed as failed:
            for problem in failed.problems:
                self.stdout.write(str(problem))
            raise CommandError("未补录：请修正以上问题", returncode=1) from None
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"已补录 {item.code} 第{version.number}版（历史版本，"
            f"{version.valid_from} 至 {version.valid_until} 有效）"
        )
