from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from expedite.cases.services import catalog_sync
from expedite.catalog import DEFAULT_CATALOG, default_catalog_text
from expedite.domain.catalog import parse_catalog
from expedite.domain.errors import CatalogError


class Command(BaseCommand):
    help = "Load the service catalog (the default one, or a YAML file) into the database."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load", "check"])
        parser.add_argument("file", nargs="?", help="catalog YAML; default: the shipped catalog")

    def handle(self, *args, action, file=None, **options):
        if file:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"找不到文件：{file}", returncode=2)
            text, source = path.read_text(encoding="utf-8"), str(path)
        else:
            text, source = default_catalog_text(), f"expedite/catalog/{DEFAULT_CATALOG}"
        try:
            catalog = parse_catalog(text, source=source, require_english=True)
        except CatalogError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        if action == "check":
            self.stdout.write(f"{source}: {len(catalog.services)} services, OK")
            return
        counts = catalog_sync(catalog=catalog, text=text, source=source)
        self.stdout.write(
            "catalog {source}: {created} created, {updated} updated, {retired} retired".format(
                source=source, **counts
            )
        )
