"""`expedite import clients FILE… [--dry-run] [--user NAME]` — the import page, from a shell.

Prints each sheet's counts and every refused row with its problems; `--dry-run` checks and
writes nothing. Exit code 1 when any row was refused, so a script notices.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from expedite.common.i18n import localized
from expedite.domain.errors import DomainError
from expedite.domain.imports import SHEET_TITLES, SheetKind
from expedite.imports import services
from expedite.imports.workbooks import problem_text


class DryRun(Exception):
    """Rolls the preview back: a dry run leaves no trace."""


class Command(BaseCommand):
    help = "Import clients, contacts and licences from Excel (.xlsx) or CSV files."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["clients"])
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument("--user", default="", help="the staff member recorded as importing")

    def handle(self, *args, what: str, files: list[str], dry_run: bool, user: str, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(_("没有用户名为 %(name)s 的在职员工。") % {"name": user})
        loaded = []
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(_("找不到文件：%(name)s") % {"name": name})
            loaded.append((path.name, path.read_bytes()))
        try:
            batch = self._run(actor, loaded, dry_run=dry_run)
        except DomainError as exc:
            raise CommandError(localized(exc)) from exc
        refused = 0
        for kind in SheetKind:
            counts = batch.summary[kind.value]
            if not sum(counts.values()):
                continue
            refused += counts["refused"]
            self.stdout.write(
                _("%(sheet)s：新建 %(new)d，更新 %(update)d，无变化 %(same)d，有问题 %(refused)d")
                % {"sheet": _(SHEET_TITLES[kind]), **counts}
            )
        for row in batch.rows:
            if row["problems"]:
                where = f"{row['values'].get('sheet_name', '')} {row['number']}"
                text = "；".join(problem_text(p) for p in row["problems"])
                self.stdout.write(f"  {where}: {text}")
        self.stdout.write(_("仅检查，未写入。") if dry_run else _("已导入。"))
        if refused:
            raise SystemExit(1)

    def _run(self, actor, loaded, *, dry_run: bool):
        label = "" if actor is not None else "expedite import"
        if dry_run:
            try:
                with transaction.atomic():
                    batch = services.import_preview(actor=actor, files=loaded)
                    raise DryRun
            except DryRun:
                return batch
        batch = services.import_preview(actor=actor, files=loaded)
        return services.import_apply(actor=actor, batch=batch, actor_label=label)
