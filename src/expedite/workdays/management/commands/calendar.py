"""`expedite calendar …`: ask the working-day calendar, or load a year's notice."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from expedite.common.i18n import localized
from expedite.domain.errors import DomainError
from expedite.workdays import answers, services
from expedite.workdays.parsing import parse_count, parse_date
from expedite.workdays.selectors import firm_calendar

PROVISIONAL_NOTE = (
    "注意：涉及尚未公布放假安排的年份，结果已计入法定节假日，但调休上班日未知（暂定）。"
)


class Command(BaseCommand):
    help = "Working-day calendar: is-workday, add, between, explain, load."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, args, text in [
            ("is-workday", ["DATE"], "print true or false"),
            ("add", ["DATE", "N"], "the date N workdays from DATE (0 = DATE or the next workday)"),
            ("between", ["A", "B"], "workdays in [A, B): A counts, B does not"),
            ("explain", ["DATE"], "what kind of day DATE is, and why"),
            ("load", ["FILE"], "load a year's 放假调休 notice (YAML override file)"),
        ]:
            p = sub.add_parser(
                name,
                help=text,
                called_from_command_line=getattr(parser, "called_from_command_line", None),
            )
            for arg in args:
                p.add_argument(arg)
            p.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, action, **options):
        try:
            result, text = self._answer(action, options)
        except DomainError as exc:
            raise CommandError(localized(exc), returncode=2) from exc
        if options.get("json"):
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(text)
            if result.get("provisional"):
                self.stderr.write(PROVISIONAL_NOTE)

    def _answer(self, action: str, o: dict) -> tuple[dict, str]:
        if action == "load":
            path = Path(o["FILE"])
            if not path.is_file():
                raise CommandError(f"找不到文件：{path}", returncode=2)
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise CommandError(f"{path} 不是 UTF-8 文本文件。", returncode=2) from None
            row = services.calendar_override_load(actor=None, text=text, source=path.name)
            result = {"year": row.year, "notice": row.notice, "loaded": True, "provisional": False}
            return result, f"已载入 {row.year} 年放假安排：{row.notice or path.name}"
        # Parse everything before touching the database, so bad input fails the same way
        # everywhere.
        if action in ("is-workday", "explain"):
            day = parse_date(o["DATE"])
            result = answers.day_answer(firm_calendar(), day)
            text = result["text"] if action == "explain" else str(result["workday"]).lower()
            return result, text
        if action == "add":
            day, n = parse_date(o["DATE"]), parse_count(o["N"])
            result = answers.add_answer(firm_calendar(), day, n)
            return result, result["result"]
        a, b = parse_date(o["A"], field="a"), parse_date(o["B"], field="b")
        result = answers.between_answer(firm_calendar(), a, b)
        return result, str(result["workdays"])
