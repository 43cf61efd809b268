"""`expedite plan SERVICE --start DATE [--deadline DATE] [--expedite] [--json]`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from expedite.cases.plans import (
    check_facts,
    current_catalog,
    day_start,
    facts_from,
    option_to_dict,
    service_definition,
)
from expedite.cases.words import catalog_labels, say, term
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError
from expedite.domain.planning import options
from expedite.domain.verdict_text import options_summary
from expedite.workdays.parsing import parse_date
from expedite.workdays.selectors import firm_calendar


class Command(BaseCommand):
    help = (
        "Plan a service from a start date: the standard plan, or with --expedite the expedited one."
    )

    def add_arguments(self, parser):
        parser.add_argument("service", help="service code, e.g. labor-dispatch-license")
        parser.add_argument(
            "--start", required=True, help="start date (YYYY-MM-DD); work begins that working day"
        )
        parser.add_argument("--deadline", help="requested deadline (YYYY-MM-DD)")
        parser.add_argument(
            "--expedite",
            action="store_true",
            help="the cheapest plan meeting --deadline, else the fastest; assumes every lever's "
            "preconditions can be arranged unless --pre names the ones that hold",
        )
        parser.add_argument(
            "--pre", action="append", default=None, help="a precondition that holds (repeat)"
        )
        parser.add_argument(
            "--flag", action="append", default=[], help="a case fact, e.g. likely-rejection"
        )
        parser.add_argument(
            "--missing", action="append", default=[], help="a missing material (code)"
        )
        parser.add_argument(
            "--unmet", action="append", default=[], help="an unmet prerequisite (code)"
        )
        parser.add_argument(
            "--materials-expected", help="the client's materials arrive on this date"
        )
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--lang",
            choices=["zh-hans", "en"],
            default="zh-hans",
            help="the language of the summary and messages; codes stay the same",
        )

    def handle(self, *args, **o):
        with translation.override(o["lang"]):
            self._handle(o)

    def _handle(self, o):
        try:
            result = self._plan(o)
        except DomainError as exc:
            raise CommandError(localized(exc), returncode=2) from exc
        if o["json"]:
            self.stdout.write(json.dumps(catalog_labels(result), ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            _("%(service)s：%(days)s 个工作日，%(start)s 开始，%(finish)s 完成；费用 ¥%(fee)s")
            % {
                "service": result["service"],
                "days": result["working_days"],
                "start": result["start"][:10],
                "finish": result["finish"],
                "fee": f"{result['fee']['total']:,}",
            }
        )
        if result.get("summary"):
            self.stdout.write(result["summary"])
        for s in result["steps"]:
            mark = "*" if s["critical"] else " "
            self.stdout.write(
                f" {mark} {s['start'][:16]} → {s['finish'][:16]}  "
                f"{term(s['track'])}  {term(s['name'])}"
            )
        for r in result.get("reasons", []):
            self.stdout.write(
                _("   加急手段 %(lever)s：%(reason)s")
                % {"lever": term(r["name"]), "reason": term(r["reason"])}
            )
        if result["latest_start"]:
            self.stdout.write(_("最晚开始：%(at)s") % {"at": result["latest_start"][:16]})
        if result["provisional"]:
            self.stderr.write(_("注意：计划涉及尚未公布放假安排的年份，日期为暂定。"))

    def _plan(self, o) -> dict:
        start = day_start(parse_date(o["start"], field="start"))
        deadline = parse_date(o["deadline"], field="deadline") if o["deadline"] else None
        service = service_definition(o["service"])
        catalog = current_catalog()
        pre = o["pre"]
        if pre is None:
            pre = [code for code, _name in catalog.preconditions] if o["expedite"] else []
        check_facts(
            service,
            catalog,
            preconditions=pre,
            flags=o["flag"],
            missing=o["missing"],
            unmet=o["unmet"],
        )
        expected = None
        if o["materials_expected"]:
            expected = day_start(parse_date(o["materials_expected"], field="materials_expected"))
        facts = facts_from(
            preconditions=pre,
            flags=o["flag"],
            missing_materials=o["missing"],
            unmet_prerequisites=o["unmet"],
            materials_expected=expected,
        )
        cal = firm_calendar()
        result = options(service, start, cal, deadline=deadline, facts=facts)
        if o["expedite"] and not result.standard.meets_deadline:
            # Expedite only when the standard plan misses the deadline (or none was given).
            out = option_to_dict(result.recommended or result.fastest)
        else:
            out = option_to_dict(result.standard)
        out["summary"] = say(options_summary(result).as_json())
        if deadline is None:
            out["latest_start"] = None
        return out
