"""`expedite plan SERVICE --start DATE [--deadline DATE] [--expedite] [--json]`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from expedite.cases.plans import (
    check_facts,
    current_catalog,
    day_start,
    facts_from,
    option_to_dict,
    service_definition,
)
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError
from expedite.domain.planning import options
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

    def handle(self, *args, **o):
        try:
            result = self._plan(o)
        except DomainError as exc:
            raise CommandError(localized(exc), returncode=2) from exc
        if o["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{result['service']}: {result['working_days']} 个工作日，{result['start'][:10]} 开始，"
            f"{result['finish']} 完成；费用 ¥{result['fee']['total']:,}"
        )
        if result.get("summary"):
            self.stdout.write(result["summary"])
        for s in result["steps"]:
            mark = "*" if s["critical"] else " "
            self.stdout.write(
                f" {mark} {s['start'][:16]} → {s['finish'][:16]}  {s['track']}  {s['name']}"
            )
        for r in result.get("reasons", []):
            self.stdout.write(f"   加急手段 {r['name']}：{r['reason']}")
        if result["latest_start"]:
            self.stdout.write(f"最晚开始：{result['latest_start'][:16]}")
        if result["provisional"]:
            self.stderr.write("注意：计划涉及尚未公布放假安排的年份，日期为暂定。")

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
        out["summary"] = result.summary_zh()
        if deadline is None:
            out["latest_start"] = None
        return out
