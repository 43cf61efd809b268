"""What the triage and the planner say, as phrases: codes with parameters (`domain.phrases`).

The Chinese templates are the translation catalog's msgids; pages, e-mails, PDFs and the API
render the stored phrases in the reader's language. Catalog text is passed as `Term`, fixed
labels as `Msg`, so both follow the reader too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .errors import gettext_noop
from .phrases import Items, Phrase, Term, templates

if TYPE_CHECKING:
    from .planning import Options

VERDICT_LABELS = {
    "not_needed": gettext_noop("无需加急"),
    "expedite": gettext_noop("建议加急"),
    "infeasible": gettext_noop("无法按期完成"),
    "refused": gettext_noop("不能办理（合规红线）"),
    "blocked": gettext_noop("须先满足前提"),
    "false_urgency": gettext_noop("假急（按常规办理，加急由客户自选）"),
}

CONSEQUENCE_LABELS = {
    "contract_penalty": gettext_noop("逾期要付合同违约金"),
    "regulatory_penalty": gettext_noop("逾期会受监管处罚"),
    "lost_business": gettext_noop("逾期会错失商机"),
    "comfort_only": gettext_noop("只是想早点办好"),
}

FLAG_LABELS = {
    "no_written_evidence": gettext_noop("截止日期没有书面通知，需向客户核实"),
    "deadline_past": gettext_noop("截止日期已过"),
    "materials_incomplete": gettext_noop("材料今天无法交齐，计划从材料预计到齐时开始"),
    "provisional_year": gettext_noop("涉及尚未公布放假安排的年份，日期为暂定"),
}

templates(
    {
        "triage.stage_reached": gettext_noop(
            "事项已到“%(stage)s”环节：从该环节起计划，此前的%(behind)s视为已办完。"
        ),
        "triage.rule": gettext_noop("%(reason)s（依据：%(basis)s）"),
        "triage.alternative": gettext_noop(
            "合规替代方案：%(alternative)s（%(service)s），%(days)s 个工作日，"
            "预计 %(finish)s 完成。"
        ),
        "triage.remedy_first": gettext_noop(
            "合规路径：先办理前提事项（%(count)s 项），再办理本事项，"
            "共 %(days)s 个工作日，预计 %(finish)s 完成。"
        ),
        "triage.not_needed": gettext_noop(
            "按常规流程 %(days)s 个工作日即可在 %(finish)s 完成，"
            "早于截止日期 %(deadline)s，无需加急。"
        ),
        "triage.false_urgency": gettext_noop(
            "逾期只是不够放心、也没有书面截止通知：这是假急。"
            "建议按常规流程办理，%(days)s 个工作日，预计 %(finish)s 完成。"
        ),
        "triage.false_urgency_paid": gettext_noop(
            "如客户仍希望提前，可自愿选择加急方案：%(days)s 个工作日，"
            "预计 %(finish)s 完成，费用 %(fee)s 元（常规 %(standard_fee)s 元）。"
        ),
        "triage.lever": gettext_noop("%(lever)s：%(reason)s"),
        "triage.infeasible": gettext_noop(
            "即使采用全部可行的加急手段，最快也要 %(finish)s 完成，比截止日期晚 %(late)s 个工作日。"
        ),
        "triage.compliant_late": gettext_noop(
            "合规路径最快也要 %(finish)s 完成，比截止日期晚 %(late)s 个工作日。"
        ),
        "change.deadline": gettext_noop("截止日期放宽到 %(finish)s"),
        "change.precondition": gettext_noop("做到“%(needs)s”，即可采用“%(lever)s”"),
        "priority.slack": gettext_noop("余量 %(days).1f 个工作日"),
        "priority.late": gettext_noop("已超出截止 %(days).1f 个工作日"),
        "priority.reason": gettext_noop(
            "优先级 %(score).2f = 紧迫度 %(urgency).2f（%(slack)s）"
            " · 影响 %(impact).2f（%(consequence)s） · 客户价值 %(value).2f（%(tier)s）"
        ),
        "plan.standard_enough": gettext_noop(
            "按常规流程 %(days)s 个工作日即可完成（%(finish)s），无需加急。"
        ),
        "plan.no_faster": gettext_noop("常规流程需 %(days)s 个工作日，现有条件下加急也无法更快。"),
        "plan.no_faster_late": gettext_noop(
            "常规流程需 %(days)s 个工作日，现有条件下加急也无法更快，"
            "比截止日期晚 %(late)s 个工作日。"
        ),
        "plan.no_faster_late_levers": gettext_noop(
            "常规流程需 %(days)s 个工作日，现有条件下加急也无法更快，"
            "比截止日期晚 %(late)s 个工作日；若满足前提条件还可采用：%(levers)s。"
        ),
        "plan.faster": gettext_noop(
            "%(days)s 个工作日可以完成，比常规 %(standard)s 天快 %(gain)s 天。"
        ),
        "plan.faster_late": gettext_noop(
            "%(days)s 个工作日可以完成，比常规 %(standard)s 天快 %(gain)s 天，"
            "比截止日期晚 %(late)s 个工作日。"
        ),
        "plan.faster_late_levers": gettext_noop(
            "%(days)s 个工作日可以完成，比常规 %(standard)s 天快 %(gain)s 天，"
            "比截止日期晚 %(late)s 个工作日；若满足前提条件还可采用：%(levers)s。"
        ),
        "summary.greeting": gettext_noop(
            "%(client)s您好，关于“%(service)s”（要求 %(deadline)s 前完成），"
            "我们的评估结论：%(verdict)s。"
        ),
        "summary.reasons": gettext_noop("原因："),
        "summary.reason": gettext_noop("  · %(reason)s"),
        "summary.plan": gettext_noop(
            "建议方案：%(days)s 个工作日，预计 %(finish)s 完成，费用 ¥%(fee)s。"
        ),
        "summary.latest_start": gettext_noop("最晚须在 %(at)s 前开始办理。"),
        "summary.to_change": gettext_noop("若必须按期完成，需要：%(changes)s。"),
        "summary.must_do": gettext_noop("需要您配合：%(items)s。"),
        "summary.flag": gettext_noop("注意：%(flag)s。"),
        "summary.workdays": gettext_noop("以上日期均按工作日计算（已扣除周末和法定节假日）。"),
        "summary.override": gettext_noop("经理改判：%(to)s（原结论：%(from)s；理由：%(reason)s）"),
        "must.written_notice": gettext_noop("提供截止日期的书面通知（截图或文件）"),
        "must.material": gettext_noop("尽快安排出具“%(material)s”"),
    }
)


def terms(names: Iterable[str]) -> Items:
    return Items(tuple(Term(n) for n in names))


def day(d: dt.date) -> str:
    return d.isoformat()


def options_summary(o: Options) -> Phrase:
    """“3 个工作日可以完成，比常规 5 天快 2 天” — or why not."""
    std = o.standard.plan
    best = (o.recommended or o.fastest).plan
    if o.deadline is not None and o.standard.meets_deadline:
        return Phrase(
            "plan.standard_enough", {"days": std.working_days, "finish": day(std.finish_date)}
        )
    gain = std.working_days - best.working_days
    if gain <= 0:
        code, params = "plan.no_faster", {"days": std.working_days}
    else:
        code = "plan.faster"
        params = {"days": best.working_days, "standard": std.working_days, "gain": gain}
    if o.recommended is None and o.deadline is not None:
        code += "_late"
        params["late"] = o.fastest.late_by_workdays
        if o.unavailable:
            code += "_levers"
            params["levers"] = terms(lever.name for lever, _needs in o.unavailable)
    return Phrase(code, params)
