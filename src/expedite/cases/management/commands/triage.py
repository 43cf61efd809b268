"""`expedite triage SERVICE --deadline DATE [--fact key=value …] [--json]` — a what-if triage."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from expedite.cases.plans import current_catalog, service_definition
from expedite.cases.triage import TriageInput, run_triage, triage_to_dict
from expedite.domain.errors import DomainError
from expedite.domain.triage import Consequence
from expedite.web.i18n import localized
from expedite.workdays.parsing import parse_date


def parse_fact(text: str) -> tuple[str, bool | float | str]:
    if "=" not in text:
        raise CommandError(f"--fact 应写作 名称=值：{text}", returncode=2)
    key, raw = (part.strip() for part in text.split("=", 1))
    low = raw.lower()
    if low in ("true", "yes", "是"):
        return key, True
    if low in ("false", "no", "否"):
        return key, False
    try:
        return key, float(raw)
    except ValueError:
        return key, raw


class Command(BaseCommand):
    help = "Triage a request: verdict, reasons, fired rules, recommended option, latest start."

    def add_arguments(self, parser):
        parser.add_argument("service")
        parser.add_argument("--deadline", required=True)
        parser.add_argument(
            "--fact", action="append", default=[], help="a rule fact, e.g. returns_filed=false"
        )
        parser.add_argument(
            "--no-written-notice", action="store_true", help="the deadline has no written notice"
        )
        parser.add_argument(
            "--materials-expected", help="materials arrive on this date (not complete today)"
        )
        parser.add_argument(
            "--consequence", default="comfort_only", choices=[c.value for c in Consequence]
        )
        parser.add_argument(
            "--pre", action="append", default=[], help="a lever precondition that can be arranged"
        )
        parser.add_argument("--flag", action="append", default=[])
        parser.add_argument("--tier", default="standard", choices=["standard", "key", "strategic"])
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        facts = dict(parse_fact(f) for f in o["fact"])
        try:
            deadline = parse_date(o["deadline"], field="deadline")
            expected = (
                parse_date(o["materials_expected"], field="materials_expected")
                if o["materials_expected"]
                else None
            )
            service = service_definition(o["service"])
            known = dict(current_catalog().preconditions)
            unknown = [p for p in o["pre"] if p not in known]
            if unknown:
                raise CommandError(f"未知前提条件：{'、'.join(unknown)}", returncode=2)
            data = TriageInput(
                deadline=deadline,
                written_notice=not o["no_written_notice"],
                materials_complete=expected is None,
                materials_expected=expected,
                consequence=o["consequence"],
                facts=facts,
                preconditions=tuple(o["pre"]),
                flags=tuple(o["flag"]),
            )
            result = run_triage(
                service_code=service.code, data=data, now=timezone.now(), value_tier=o["tier"]
            )
        except DomainError as exc:
            raise CommandError(localized(exc), returncode=2) from exc
        out = triage_to_dict(
            result,
            client="客户",
            service_name=service.name_zh,
            deadline=deadline,
            tier=o["tier"],
            consequence=Consequence(o["consequence"]),
        )
        if o["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{out['verdict']}（{out['verdict_label']}）")
        for r in out["reasons"]:
            self.stdout.write(f"  · {r}")
        for r in out["fired_rules"]:
            self.stdout.write(f"  规则 {r['code']}：{r['why']}")
        option = out["recommended_option"]
        self.stdout.write(
            f"建议方案：{option['working_days']} 个工作日，{option['finish']} 完成，"
            f"¥{option['fee']['total']:,}"
        )
        if out["latest_start"]:
            self.stdout.write(f"最晚开始：{out['latest_start'][:16]}")
