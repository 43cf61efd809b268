"""The options as text a liaison can send to the client (一次说清：时间、费用、原因)."""

from __future__ import annotations

from expedite.domain.planning import Option, Options


def _fee(option: Option) -> str:
    fee = option.plan.fee
    text = f"¥{fee.total:,}"
    extras = []
    if fee.surcharge:
        extras.append(f"加急服务费 ¥{fee.surcharge:,}")
    extras += [f"{c.name} ¥{c.cost_cny:,}" for c in option.choices if c.cost_cny]
    return text + (f"（含{'、'.join(extras)}）" if extras else "")


def quote_text(result: Options, *, client: str, service: str) -> str:
    std = result.standard
    lines = [f"{client}您好，关于“{service}”的加急需求，我们的评估如下："]
    lines.append(
        f"方案一（常规流程）：{std.plan.working_days} 个工作日，"
        f"预计 {std.plan.finish_date:%Y-%m-%d} 完成，费用 {_fee(std)}。"
    )
    expedited = (
        result.recommended if result.recommended and result.recommended.key != "standard" else None
    )
    expedited = expedited or (result.fastest if result.fastest.plan.levers else None)
    if expedited is not None and expedited.plan.working_days < std.plan.working_days:
        lines.append(
            f"方案二（加急）：{expedited.plan.working_days} 个工作日，"
            f"预计 {expedited.plan.finish_date:%Y-%m-%d} 完成，费用 {_fee(expedited)}。"
        )
        for c in expedited.choices:
            lines.append(f"  · {c.name}：{c.reason}")
    if result.deadline is not None:
        if std.meets_deadline:
            lines.append(
                f"您要求 {result.deadline:%Y-%m-%d} 前完成，按常规流程即可按时完成，无需加急。"
            )
        elif result.recommended is not None:
            lines.append(f"您要求 {result.deadline:%Y-%m-%d} 前完成，需采用方案二。")
        else:
            lines.append(
                f"您要求 {result.deadline:%Y-%m-%d} 前完成；即使全部加急，最快也要 "
                f"{result.fastest.plan.finish_date:%Y-%m-%d}，"
                f"比要求晚 {result.fastest.late_by_workdays} 个工作日。"
            )
    if any(o.plan.provisional for o in (std, result.fastest)):
        lines.append("注：所涉年份的放假安排尚未公布，日期为暂定，公布后我们会及时确认。")
    lines.append(
        "以上日期均按工作日计算（已扣除周末和法定节假日）。请回复您选择的方案，我们立即安排。"
    )
    return "\n".join(lines)
