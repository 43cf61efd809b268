"""`expedite retention purge --before DATE [--dry-run]`."""

from django.core.management.base import BaseCommand, CommandError

from expedite import clock
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError
from expedite.records.retention import purge_plan, retention_purge
from expedite.workdays.parsing import parse_date


class Command(BaseCommand):
    help = "Remove finished cases (with files and events) older than the retention period."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("purge")
        p.add_argument("--before", required=True, help="cases that ended before this date")
        p.add_argument("--dry-run", action="store_true", help="only list what would go")

    def handle(self, *args, action, before, dry_run=False, **options):
        try:
            day = parse_date(before, field="before")
            today = clock.today()
            result = (
                purge_plan(before=day, today=today)
                if dry_run
                else retention_purge(before=day, today=today)
            )
        except DomainError as exc:
            raise CommandError(localized(exc), returncode=2) from exc
        verb = "将清除" if dry_run else "已清除"
        self.stdout.write(
            f"{verb} {len(result['cases'])} 件加急单、{len(result['removed_events'])} 个事件、"
            f"{len(result['documents'])} 个文件、{result['costs']} 条费用明细。"
        )
        for reference in result["cases"]:
            self.stdout.write(f"  {reference}")
        if not dry_run and result.get("sha256"):
            self.stdout.write(f"清除内容的 SHA-256：{result['sha256']}")
