"""`expedite simulation load FILE` — keep a result of the yearly simulation for the KPI page.

FILE is the JSON `benchmarks/firm_year.py` writes. The same run (seed and run time) loaded
again is not stored twice. Prints one line; a missing, unreadable or malformed file is refused
with the reason and nothing is stored.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from expedite.common.i18n import localized
from expedite.domain.errors import DomainError
from expedite.kpi.simulation import simulation_load


class Command(BaseCommand):
    help = "Load a result of the yearly simulation (JSON) for the KPI page."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load"])
        parser.add_argument("path", metavar="FILE")

    def handle(self, *args, action: str, path: str, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(_("找不到文件：%(name)s") % {"name": path})
        try:
            result = json.loads(file.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise CommandError(_("%(name)s 不是 UTF-8 文本文件。") % {"name": path}) from None
        except json.JSONDecodeError as exc:
            raise CommandError(
                _("%(name)s 不是有效的 JSON（第 %(line)s 行第 %(column)s 列）。")
                % {"name": path, "line": exc.lineno, "column": exc.colno}
            ) from None
        except OSError as exc:
            raise CommandError(
                _("无法读取 %(name)s：%(error)s") % {"name": path, "error": exc.strerror}
            ) from None
        try:
            run = simulation_load(result=result, source=file.name)
        except DomainError as exc:
            raise CommandError(f"{path}: {localized(exc)}") from exc
        facts = {
            "label": run.label,
            "year": run.result["year"],
            "seed": run.seed,
            "ran_at": f"{timezone.localtime(run.ran_at):%Y-%m-%d %H:%M}",
        }
        if run.stored_now:
            line = _("已载入模拟结果 %(label)s：%(year)s 年，随机种子 %(seed)s，%(ran_at)s 运行。")
        else:
            line = _(
                "模拟结果 %(label)s（随机种子 %(seed)s，%(ran_at)s 运行）此前已载入，未重复保存。"
            )
        self.stdout.write(line % facts)
