"""`expedite triage SERVICE --deadline DATE [--fact key=value …] [--json]` — a what-if triage."""

from __future__ import annotations

import json
import math
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from expedite import clock
from expedite.cases.plans import current_catalog, service_definition
from expedite.cases.triage import (
    FactsUnanswered,
    TriageInput,
    fact_questions,
    run_triage,
    triage_to_dict,
)
from expedite.cases.triage_text import readable
from expedite.cases.words import term
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError
from expedite.domain.triage import Consequence
from expedite.workdays.parsing import parse_date

YES = ("true", "yes", "是")
NO = ("false", "no", "否")
# Plain ASCII digits, optionally with thousands separators: "2000000", "2,000,000", "5000.5".
NUMBER = re.compile(r"(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?")


class BadInput(Exception):
    """The command line is wrong; `message` says what to pass instead (exit code 2)."""

    def __init__(self, message: str, *, details: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


def split_fact(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise BadInput(_("--fact 应写作 名称=值：%(text)s") % {"text": text})
    key, raw = (part.strip() for part in text.split("=", 1))
    return key, raw


def usage(question: dict) -> str:
    """One line of help: the question, then what to type."""
    return f"  · {question['question']}：--fact {question['code']}={question['expected']}"


def parse_value(question: dict, raw: str) -> bool | float:
    """The answer in the form its question takes; BadInput naming that form otherwise."""
    if question["type"] == "boolean":
        if raw.lower() in YES:
            return True
        if raw.lower() in NO:
            return False
        raise BadInput(
            _("“%(question)s”只能回答 true 或 false，收到“%(raw)s”：--fact %(code)s=true|false")
            % {"question": question["question"], "raw": raw, "code": question["code"]}
        )
    value = float(raw.replace(",", "")) if NUMBER.fullmatch(raw) else math.nan
    if not math.isfinite(value):
        raise BadInput(
            _(
                "“%(question)s”应为不小于 0 的数字（如 2000000），收到“%(raw)s”："
                "--fact %(code)s=<数字>"
            )
            % {"question": question["question"], "raw": raw, "code": question["code"]}
        )
    return value


def parse_facts(texts: list[str], questions: list[dict], service_name: str) -> dict:
    """`--fact name=value` for each question of the service's rules, typed as it asks.

    Every bad --fact is reported at once; an unknown name lists the questions there are."""
    by_code = {q["code"]: q for q in questions}
    facts, problems, unknown = {}, [], False
    for text in texts:
        key, raw = split_fact(text)
        if key not in by_code:
            unknown = True
            problems.append(
                _("本事项（%(service)s）的规则不需要“%(fact)s”。")
                % {"service": term(service_name), "fact": key}
            )
        elif key in facts:
            problems.append(_("--fact %(fact)s 传入了不止一次，请只保留一个。") % {"fact": key})
        else:
            try:
                facts[key] = parse_value(by_code[key], raw)
            except BadInput as exc:
                problems.append(exc.message)
    if not problems:
        return facts
    if unknown and questions:
        problems.append(_("本事项的规则需要回答的问题（用 --fact 名称=值 传入）："))
        problems += [usage(q) for q in questions]
    elif unknown:
        problems.append(_("本事项的规则不需要回答任何问题，请去掉 --fact。"))
    raise BadInput("\n".join(problems), details={"facts": questions})


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
        parser.add_argument(
            "--lang",
            choices=["zh-hans", "en"],
            default="zh-hans",
            help="the language of labels and messages; codes stay the same",
        )

    def refused(self, o, message: str, **details) -> CommandError:
        """Bad input: exit code 2 with what to pass instead; with --json, also as JSON."""
        if o["json"]:
            body = {"verdict": None, "error": message, "missing_facts": [], **details}
            self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
        return CommandError(message, returncode=2)

    def handle(self, *args, **o):
        with translation.override(o["lang"]):
            self._handle(o)

    def _handle(self, o):
        try:
            service = service_definition(o["service"])
            facts = parse_facts(o["fact"], fact_questions(service.code), service.name_zh)
            deadline = parse_date(o["deadline"], field="deadline")
            expected = (
                parse_date(o["materials_expected"], field="materials_expected")
                if o["materials_expected"]
                else None
            )
            known = dict(current_catalog().preconditions)
            unknown = [p for p in o["pre"] if p not in known]
            if unknown:
                raise BadInput(_("未知前提条件：%(codes)s") % {"codes": _("、").join(unknown)})
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
                service_code=service.code, data=data, now=clock.now(), value_tier=o["tier"]
            )
        except FactsUnanswered as exc:
            lines = [
                _("还需要回答以下问题（用 --fact 名称=值 传入）："),
                *map(usage, exc.questions),
            ]
            raise self.refused(o, "\n".join(lines), missing_facts=exc.questions) from exc
        except BadInput as exc:
            raise self.refused(o, exc.message, **exc.details) from exc
        except DomainError as exc:
            raise self.refused(o, localized(exc)) from exc
        out = readable(
            triage_to_dict(
                result,
                client=_("客户"),
                service_name=service.name_zh,
                deadline=deadline,
                tier=o["tier"],
                consequence=Consequence(o["consequence"]),
            )
        )
        if o["json"]:
            self.stdout.write(
                json.dumps({**out, "missing_facts": []}, ensure_ascii=False, indent=2)
            )
            return
        self.stdout.write(
            _("%(code)s（%(label)s）") % {"code": out["verdict"], "label": out["verdict_label"]}
        )
        for r in out["reasons"]:
            self.stdout.write(f"  · {r['text']}")
        for r in out["fired_rules"]:
            self.stdout.write(_("  规则 %(code)s：%(why)s") % {"code": r["code"], "why": r["why"]})
        option = out["recommended_option"]
        self.stdout.write(
            _("建议方案：%(days)s 个工作日，%(finish)s 完成，¥%(fee)s")
            % {
                "days": option["working_days"],
                "finish": option["finish"],
                "fee": f"{option['fee']['total']:,}",
            }
        )
        if out["latest_start"]:
            self.stdout.write(_("最晚开始：%(at)s") % {"at": out["latest_start"][:16]})
