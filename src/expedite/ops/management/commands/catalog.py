from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from expedite import clock
from expedite.cases.services import catalog_sync
from expedite.catalog import DEFAULT_CATALOG, default_catalog_text
from expedite.domain.calendar import DEFAULT_HOURS
from expedite.domain.catalog import parse_catalog
from expedite.domain.catalog_check import check_complete, limits_table
from expedite.domain.catalog_limits import stale
from expedite.domain.errors import CatalogError


class Command(BaseCommand):
    help = (
        "Check or load the service catalog (the default one, or a YAML file), or print its "
        "table of legal limits and targets. All refuse a file with a rule or time limit "
        "lacking its basis; check also warns of bases not verified within --max-age-days."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load", "check", "table"])
        parser.add_argument("file", nargs="?", help="catalog YAML; default: the shipped catalog")
        parser.add_argument(
            "--max-age-days",
            type=int,
            default=settings.EXPEDITE_CATALOG_BASIS_MAX_AGE_DAYS,
            help="warn of a basis last verified longer ago than this "
            "(default: EXPEDITE_CATALOG_BASIS_MAX_AGE_DAYS)",
        )

    def handle(self, *args, action, file=None, max_age_days, **options):
        if file:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"找不到文件：{file}", returncode=2)
            text, source = path.read_text(encoding="utf-8"), str(path)
        else:
            text, source = default_catalog_text(), f"expedite/catalog/{DEFAULT_CATALOG}"
        if max_age_days < 0:
            raise CommandError("--max-age-days 不能为负数。", returncode=2)
        try:
            catalog = parse_catalog(text, source=source, require_english=True)
            # Targets are whole working days of the standard working day, as quoted.
            check_complete(catalog, source, DEFAULT_HOURS.day_length)
        except CatalogError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        if action == "table":
            self.stdout.write(limits_table(catalog), ending="")
            return
        if action == "check":
            old = stale(catalog, clock.today(), max_age_days)
            for cited in old:
                self.stderr.write(
                    f"警告：{source}: {cited.where}: 依据“{cited.basis}”上次核实于 "
                    f"{cited.verified_on:%Y-%m-%d}，已超过 {max_age_days} 天，请重新核实。"
                )
            warned = f", {len(old)} bases to re-verify" if old else ""
            self.stdout.write(f"{source}: {len(catalog.services)} services, OK{warned}")
            return
        counts = catalog_sync(catalog=catalog, text=text, source=source)
        self.stdout.write(
            "catalog {source}: {created} created, {updated} updated, {retired} retired".format(
                source=source, **counts
            )
        )
